/**
 * Renders docs/network.md from a synthesized CloudFormation template: what each security group
 * admits and lets out, which resources wear it, and which routes leave each subnet tier. It reads
 * only the template (no CDK), so what the document says is what would be deployed.
 */
import { Env } from '../contract/names.js';

/** Where the document lives, from the repository root. */
export const NETWORK_DOC_PATH = 'docs/network.md';
/** How to regenerate it (the package.json script runs scripts/network-doc.ts). */
export const NETWORK_DOC_COMMAND = 'npm run network-doc';

type Props = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties?: Props;
}
/** The parts of a template this reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, Resource>;
}

interface Rule {
  readonly peer: string;
  readonly protocol: string;
  readonly ports: string;
  readonly description: string;
}

interface Subnet {
  readonly id: string;
  readonly tier: string;
  readonly az: string;
  readonly cidr: string;
}

interface Route {
  readonly destination: string;
  readonly target: string;
}

/** Ingress and egress properties name their peer differently. */
const PEER_KEYS = {
  in: { group: 'SourceSecurityGroupId', prefixList: 'SourcePrefixListId' },
  out: { group: 'DestinationSecurityGroupId', prefixList: 'DestinationPrefixListId' },
} as const;
type Direction = keyof typeof PEER_KEYS;

/** The rule CDK writes to a group that may send nothing: it matches no packet. */
const isNoEgressPlaceholder = (rule: Props) =>
  rule.CidrIp === '255.255.255.255/32' &&
  rule.IpProtocol === 'icmp' &&
  rule.FromPort === 252 &&
  rule.ToPort === 86;

/** Route properties that name where a route sends its traffic, with what they point at. */
const ROUTE_TARGETS: [key: string, kind: string][] = [
  ['GatewayId', 'gateway'],
  ['NatGatewayId', 'NAT gateway'],
  ['EgressOnlyInternetGatewayId', 'egress-only internet gateway'],
  ['TransitGatewayId', 'transit gateway'],
  ['VpcEndpointId', 'VPC endpoint'],
  ['VpcPeeringConnectionId', 'peering connection'],
  ['NetworkInterfaceId', 'network interface'],
  ['InstanceId', 'instance'],
  ['CarrierGatewayId', 'carrier gateway'],
  ['LocalGatewayId', 'local gateway'],
  ['CoreNetworkArn', 'core network'],
];

/** How `cidr()` writes a destination that is the whole internet. */
const INTERNET = /^any IPv[46] address/;

/** Gateway resource types a route's `GatewayId` may name. */
const GATEWAY_KINDS: Record<string, string> = {
  'AWS::EC2::InternetGateway': 'internet gateway',
  'AWS::EC2::VPNGateway': 'virtual private gateway',
};

/** The markdown document for `template`. */
export function renderNetworkDoc(template: CfnTemplate): string {
  return new NetworkReader(template).render();
}

class NetworkReader {
  private readonly resources: [string, Resource][];
  private readonly names = new Map<string, string>();
  private readonly subnets = new Map<string, Subnet>();

  constructor(template: CfnTemplate) {
    this.resources = Object.entries(template.Resources ?? {});
    // CDK ends a logical id with an 8-character hash; the rest is the construct path, which reads
    // better. Ids that would collide without it keep it.
    const short = (id: string) => id.replace(/(?<=.)[0-9A-F]{8}$/, '');
    const counts = new Map<string, number>();
    for (const [id] of this.resources) counts.set(short(id), (counts.get(short(id)) ?? 0) + 1);
    for (const [id] of this.resources) this.names.set(id, counts.get(short(id)) === 1 ? short(id) : id);

    for (const [id, subnet] of this.ofType('AWS::EC2::Subnet')) {
      const p = subnet.Properties ?? {};
      this.subnets.set(id, {
        id,
        tier: tagOf(p, 'aws-cdk:subnet-name') ?? this.name(id),
        az: this.value(p.AvailabilityZone),
        cidr: this.value(p.CidrBlock),
      });
    }
  }

  render(): string {
    const lines = [
      '# Network rules',
      '',
      `<!-- Generated from the synthesized template by \`${NETWORK_DOC_COMMAND}\`: do not edit. -->`,
      '',
      'What each security group of the default configuration (`cdk.json` context) admits and lets',
      'out, which resources wear it, and which routes leave each subnet tier, as the synthesized',
      `template says. \`${NETWORK_DOC_COMMAND}\` regenerates this file, and a test fails when it is`,
      'out of date. Names are logical ids without their hash.',
      '',
      ...this.groupsSection(),
      ...this.outsideSection(),
      ...this.tiersSection(),
    ];
    return `${lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`;
  }

  private groupsSection(): string[] {
    const groups = this.ofType('AWS::EC2::SecurityGroup');
    const lines = ['## Security groups', ''];
    if (groups.length === 0) return [...lines, 'The template has no security group.', ''];
    lines.push(
      'A security group is stateful: the answer to an admitted connection always gets back, so',
      '"admits" lists who may open a connection to the resources wearing the group, and "lets out"',
      'where they may open one.',
      '',
    );
    for (const [id, group] of groups) {
      const p = group.Properties ?? {};
      lines.push(`### \`${this.name(id)}\``, '');
      if (typeof p.GroupDescription === 'string') lines.push(`> ${p.GroupDescription}`, '');
      const wearers = this.wearersOf(id);
      lines.push(
        wearers.length === 0
          ? '**Worn by** nothing in the template.'
          : `**Worn by**\n\n${wearers.map((w) => `- ${w}`).join('\n')}`,
        '',
      );
      lines.push('**Admits (ingress)**', '', ...this.ruleTable(this.rulesOf(id, 'in'), 'from'), '');
      lines.push('**Lets out (egress)**', '', ...this.egressLines(id, p), '');
    }
    lines.push(...this.defaultGroupLines());
    return lines;
  }

  private egressLines(id: string, p: Props): string[] {
    const inline = p.SecurityGroupEgress as Props[] | undefined;
    if (inline === undefined || inline.length === 0) {
      // EC2 adds its allow-all rule to a group created without outbound rules of its own.
      return this.ruleTable(
        [
          {
            peer: 'any address',
            protocol: 'all',
            ports: 'all',
            description: "EC2's default rule: the group declares no outbound rule of its own",
          },
          ...this.rulesOf(id, 'out'),
        ],
        'to',
      );
    }
    const rules = this.rulesOf(id, 'out');
    if (rules.length === 0 && inline.some(isNoEgressPlaceholder)) {
      return [
        "Nothing. (The group's one outbound rule is CDK's placeholder, ICMP type 252 code 86 to",
        '255.255.255.255/32, which matches no packet and keeps EC2 from adding its allow-all rule.)',
      ];
    }
    return this.ruleTable(rules, 'to');
  }

  private ruleTable(rules: Rule[], preposition: string): string[] {
    if (rules.length === 0) return ['Nothing.'];
    return [
      `| ${preposition} | protocol | ports | rule's description |`,
      '| --- | --- | --- | --- |',
      ...rules.map((r) => `| ${r.peer} | ${r.protocol} | ${r.ports} | ${cell(r.description)} |`),
    ];
  }

  /** The group's rules in one direction: inline ones first, then standalone rule resources. */
  private rulesOf(groupId: string, direction: Direction): Rule[] {
    const inline = (
      (this.resource(groupId).Properties?.[
        direction === 'in' ? 'SecurityGroupIngress' : 'SecurityGroupEgress'
      ] as Props[] | undefined) ?? []
    ).filter((rule) => !isNoEgressPlaceholder(rule));
    const type = direction === 'in' ? 'AWS::EC2::SecurityGroupIngress' : 'AWS::EC2::SecurityGroupEgress';
    const standalone = this.ofType(type)
      .map(([, r]) => r.Properties ?? {})
      .filter((rule) => this.groupIn(rule.GroupId) === groupId);
    return [...inline, ...standalone].map((rule) => this.rule(rule, direction, groupId));
  }

  private rule(rule: Props, direction: Direction, groupId: string): Rule {
    const keys = PEER_KEYS[direction];
    const group = rule[keys.group];
    const prefixList = rule[keys.prefixList];
    const peer =
      group !== undefined
        ? this.groupIn(group) === groupId
          ? 'itself (its own members)'
          : this.groupName(group)
        : prefixList !== undefined
          ? `prefix list ${code(this.value(prefixList))}`
          : rule.CidrIp !== undefined
            ? cidr(this.value(rule.CidrIp))
            : rule.CidrIpv6 !== undefined
              ? cidr(this.value(rule.CidrIpv6))
              : 'no peer named';
    return {
      peer,
      ...protocolAndPorts(rule),
      description: typeof rule.Description === 'string' ? rule.Description : '',
    };
  }

  /** What wears the group: every resource that names it where a group is attached. */
  private wearersOf(groupId: string): string[] {
    const wearers: string[] = [];
    const mountTargets = new Map<string, unknown[]>();
    const endpoints: string[] = [];
    const endpointSubnets: unknown[] = [];
    for (const [id, r] of this.resources) {
      const p = r.Properties ?? {};
      switch (r.Type) {
        case 'AWS::Lambda::Function': {
          const vpc = p.VpcConfig as Props | undefined;
          if (this.groupsIn(vpc?.SecurityGroupIds).includes(groupId)) {
            wearers.push(`Lambda function ${code(this.name(id))}, in ${this.placeOf(vpc?.SubnetIds)}`);
          }
          const env = (p.Environment as { Variables?: Props } | undefined)?.Variables ?? {};
          if (this.groupsIn(env[Env.WORKER_SECURITY_GROUPS]).includes(groupId)) {
            const taskDefinition = env[Env.TASK_DEFINITION_ARN];
            const tasks =
              taskDefinition === undefined ? 'ECS tasks' : `ECS tasks of ${code(this.value(taskDefinition))}`;
            wearers.push(
              `${tasks}, in ${this.placeOf(env[Env.WORKER_SUBNETS])}: started by ` +
                `${code(this.name(id))} with \`RunTask\`, which passes the groups in its ` +
                `\`${Env.WORKER_SECURITY_GROUPS}\` and the subnets in its \`${Env.WORKER_SUBNETS}\``,
            );
          }
          break;
        }
        case 'AWS::EFS::MountTarget':
          if (this.groupsIn(p.SecurityGroups).includes(groupId)) {
            const fs = this.value(p.FileSystemId);
            mountTargets.set(fs, [...(mountTargets.get(fs) ?? []), p.SubnetId]);
          }
          break;
        case 'AWS::EC2::VPCEndpoint':
          if (this.groupsIn(p.SecurityGroupIds).includes(groupId)) {
            endpoints.push(code(serviceName(this.value(p.ServiceName))));
            endpointSubnets.push(p.SubnetIds);
          }
          break;
        case 'AWS::ECS::Service': {
          const vpc = (p.NetworkConfiguration as { AwsvpcConfiguration?: Props } | undefined)
            ?.AwsvpcConfiguration;
          if (this.groupsIn(vpc?.SecurityGroups).includes(groupId)) {
            wearers.push(`ECS service ${code(this.name(id))}, in ${this.placeOf(vpc?.Subnets)}`);
          }
          break;
        }
        case 'AWS::EC2::SecurityGroup':
        case 'AWS::EC2::SecurityGroupIngress':
        case 'AWS::EC2::SecurityGroupEgress':
          break;
        default:
          // Anything else that attaches the group, so the list is never silently short.
          if (/SecurityGroup(Id)?s"/i.test(JSON.stringify(p)) && this.groupsIn(p).includes(groupId)) {
            wearers.push(`${r.Type} ${code(this.name(id))}`);
          }
      }
    }
    for (const [fs, subnets] of mountTargets) {
      wearers.push(`EFS mount targets of ${code(fs)}, in ${this.placeOf(subnets)}`);
    }
    if (endpoints.length > 0) {
      wearers.push(`interface endpoints ${endpoints.join(', ')}, in ${this.placeOf(endpointSubnets)}`);
    }
    return wearers;
  }

  private defaultGroupLines(): string[] {
    if (this.ofType('AWS::EC2::VPC').length === 0) return [];
    const restricted = this.ofType('Custom::VpcRestrictDefaultSG').length > 0;
    return [
      "### The VPC's default security group",
      '',
      restricted
        ? 'Worn by nothing the template creates. Its rules are removed at deploy time (`Custom::VpcRestrictDefaultSG`), so it admits and lets out nothing.'
        : "Worn by nothing the template creates. It keeps EC2's default rules: its members may reach each other, and anywhere outside.",
      '',
    ];
  }

  private outsideSection(): string[] {
    const outside = this.ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties?.VpcConfig === undefined)
      .map(([id]) => code(this.name(id)));
    if (outside.length === 0) return [];
    return [
      '## Functions outside the VPC',
      '',
      'These wear no security group and reach AWS APIs at their public endpoints, not through the',
      `VPC: ${outside.join(', ')}.`,
      '',
    ];
  }

  private tiersSection(): string[] {
    const lines = ['## Subnet tiers and the routes that leave them', ''];
    const vpcs = this.ofType('AWS::EC2::VPC');
    const vpcCidr = vpcs.length === 1 ? this.value(vpcs[0]![1].Properties?.CidrBlock) : undefined;
    lines.push(
      `Every route table also has the local route for the VPC's own addresses${vpcCidr ? ` (${code(vpcCidr)})` : ''}:`,
      'any subnet reaches any other, and the interface endpoints wherever they are placed. The security',
      'groups above are what narrows that.',
      '',
    );
    const tiers = new Map<string, Subnet[]>();
    for (const subnet of this.subnets.values())
      tiers.set(subnet.tier, [...(tiers.get(subnet.tier) ?? []), subnet]);
    if (tiers.size === 0) return [...lines, 'The template has no subnet.', ''];

    const routeTableOf = new Map<string, string>();
    for (const [, a] of this.ofType('AWS::EC2::SubnetRouteTableAssociation')) {
      const [subnet] = this.refsIn(a.Properties?.SubnetId);
      const [table] = this.refsIn(a.Properties?.RouteTableId);
      if (subnet && table) routeTableOf.set(subnet, table);
    }

    for (const [tier, subnets] of tiers) {
      lines.push(`### ${tier}`, '');
      lines.push(
        `Subnets: ${subnets.map((s) => `${code(s.cidr)} (${s.az})`).join(', ')}. ` +
          `Public IPv4 on launch: ${subnets.some((s) => this.resource(s.id).Properties?.MapPublicIpOnLaunch === true) ? 'yes' : 'no'}.`,
        '',
      );
      // One row per destination and target, naming the zones whose subnets have it.
      const rows = new Map<string, { route: Route; zones: string[] }>();
      for (const subnet of subnets) {
        const table = routeTableOf.get(subnet.id);
        for (const route of table ? this.routesOf(table) : []) {
          const key = `${route.destination}\t${route.target}`;
          const row = rows.get(key) ?? { route, zones: [] };
          row.zones.push(subnet.az);
          rows.set(key, row);
        }
      }
      const internet = [...rows.values()].filter(({ route }) => INTERNET.test(route.destination));
      lines.push(
        internet.length === 0
          ? 'No route to the internet.'
          : `To the internet through ${[...new Set(internet.map(({ route }) => route.target))].join(', ')}.`,
        '',
      );
      if (rows.size === 0) {
        lines.push('No route leaves this tier: it reaches only the VPC itself.', '');
      } else {
        lines.push('| destination | through | from the subnets in |', '| --- | --- | --- |');
        const sorted = [...rows.values()].sort((a, b) => byText(a.route.destination, b.route.destination));
        for (const { route, zones } of sorted) {
          const where = zones.length === subnets.length ? 'every zone' : zones.join(', ');
          lines.push(`| ${route.destination} | ${route.target} | ${where} |`);
        }
        lines.push('');
      }
      const endpoints = this.interfaceEndpointsIn(new Set(subnets.map((s) => s.id)));
      if (endpoints.length > 0) {
        lines.push(
          `Interface endpoints placed here (reached from every tier by the local route): ${endpoints.join(', ')}.`,
          '',
        );
      }
    }
    return lines;
  }

  /** The routes of one route table: its route resources and the gateway endpoints on it. */
  private routesOf(tableId: string): Route[] {
    const routes: Route[] = [];
    for (const [, r] of this.ofType('AWS::EC2::Route')) {
      const p = r.Properties ?? {};
      if (!this.refsIn(p.RouteTableId).includes(tableId)) continue;
      const destination =
        p.DestinationCidrBlock !== undefined
          ? cidr(this.value(p.DestinationCidrBlock))
          : p.DestinationIpv6CidrBlock !== undefined
            ? cidr(this.value(p.DestinationIpv6CidrBlock))
            : p.DestinationPrefixListId !== undefined
              ? `prefix list ${code(this.value(p.DestinationPrefixListId))}`
              : 'no destination named';
      routes.push({ destination, target: this.routeTarget(p) });
    }
    for (const [id, r] of this.ofType('AWS::EC2::VPCEndpoint')) {
      const p = r.Properties ?? {};
      if (p.VpcEndpointType !== 'Gateway' || !this.refsIn(p.RouteTableIds).includes(tableId)) continue;
      const service = serviceName(this.value(p.ServiceName));
      routes.push({
        destination: `the ${code(service)} prefix list`,
        target: `gateway endpoint ${code(this.name(id))}`,
      });
    }
    return routes;
  }

  private routeTarget(p: Props): string {
    for (const [key, kind] of ROUTE_TARGETS) {
      if (p[key] === undefined) continue;
      const [target] = this.refsIn(p[key]);
      if (target === undefined) return `${kind} ${code(this.value(p[key]))}`;
      const type = this.resource(target).Type;
      if (type === 'AWS::EC2::NatGateway') {
        const [subnet] = this.refsIn(this.resource(target).Properties?.SubnetId);
        const where = subnet ? this.subnets.get(subnet) : undefined;
        return `NAT gateway ${code(this.name(target))}${where ? ` (in ${where.tier}, ${where.az})` : ''}`;
      }
      return `${GATEWAY_KINDS[type] ?? kind} ${code(this.name(target))}`;
    }
    return 'no target named';
  }

  private interfaceEndpointsIn(subnetIds: Set<string>): string[] {
    return this.ofType('AWS::EC2::VPCEndpoint')
      .filter(
        ([, r]) =>
          r.Properties?.VpcEndpointType === 'Interface' &&
          this.refsIn(r.Properties?.SubnetIds).some((id) => subnetIds.has(id)),
      )
      .map(([, r]) => code(serviceName(this.value(r.Properties?.ServiceName))));
  }

  /** "Private subnets (us-east-1a, us-east-1b)": the tiers and zones of the subnets a value refers to. */
  private placeOf(subnetRefs: unknown): string {
    const subnets = this.refsIn(subnetRefs)
      .map((id) => this.subnets.get(id))
      .filter((s): s is Subnet => s !== undefined);
    if (subnets.length === 0) return 'subnets the template does not define';
    const byTier = new Map<string, string[]>();
    for (const s of new Set(subnets)) byTier.set(s.tier, [...(byTier.get(s.tier) ?? []), s.az]);
    return [...byTier]
      .map(([tier, zones]) => `${tier} subnets (${[...new Set(zones)].sort().join(', ')})`)
      .join(' and ');
  }

  private groupName(value: unknown): string {
    const id = this.groupIn(value);
    return id === undefined ? `group ${code(this.value(value))}` : `group ${code(this.name(id))}`;
  }

  /** The template's security group a value points at, if it points at one. */
  private groupIn(value: unknown): string | undefined {
    const [id] = this.refsIn(value);
    return id !== undefined &&
      this.resources.some(([rid, r]) => rid === id && r.Type === 'AWS::EC2::SecurityGroup')
      ? id
      : undefined;
  }

  private groupsIn(value: unknown): string[] {
    return this.refsIn(value).filter((id) => this.resource(id).Type === 'AWS::EC2::SecurityGroup');
  }

  /** Logical ids of the template's resources that a value refers to (`Ref`, `Fn::GetAtt`), in order. */
  private refsIn(value: unknown): string[] {
    const found: string[] = [];
    const visit = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v !== null && typeof v === 'object') {
        const o = v as Props;
        if (typeof o.Ref === 'string' && this.names.has(o.Ref)) found.push(o.Ref);
        else if (Array.isArray(o['Fn::GetAtt']) && this.names.has(o['Fn::GetAtt'][0] as string)) {
          found.push(o['Fn::GetAtt'][0] as string);
        } else Object.values(o).forEach(visit);
      }
    };
    visit(value);
    return found;
  }

  /** A property value as text: literals as they are, intrinsics by the names they refer to. */
  private value(v: unknown): string {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x)).join(', ');
    if (v === null || typeof v !== 'object') return '';
    const o = v as Props;
    if (typeof o.Ref === 'string') {
      return o.Ref.startsWith('AWS::') ? `<${o.Ref.slice(5).toLowerCase()}>` : this.name(o.Ref);
    }
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `${this.name(String(getAtt[0]))}.${String(getAtt[1])}`;
    const join = o['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map((x) => this.value(x)).join(String(join[0]));
    return JSON.stringify(v);
  }

  private name(id: string): string {
    return this.names.get(id) ?? id;
  }

  private resource(id: string): Resource {
    return this.resources.find(([rid]) => rid === id)?.[1] ?? { Type: '' };
  }

  private ofType(type: string): [string, Resource][] {
    return this.resources.filter(([, r]) => r.Type === type);
  }
}

function tagOf(p: Props, key: string): string | undefined {
  const tags = (p.Tags as { Key: string; Value: unknown }[] | undefined) ?? [];
  const value = tags.find((t) => t.Key === key)?.Value;
  return typeof value === 'string' ? value : undefined;
}

const PROTOCOLS: Record<string, string> = {
  tcp: 'TCP',
  '6': 'TCP',
  udp: 'UDP',
  '17': 'UDP',
  icmp: 'ICMP',
  '1': 'ICMP',
  icmpv6: 'ICMPv6',
  '58': 'ICMPv6',
};

function protocolAndPorts(rule: Props): { protocol: string; ports: string } {
  const raw = String(rule.IpProtocol);
  if (raw === '-1') return { protocol: 'all', ports: 'all' };
  const protocol = PROTOCOLS[raw.toLowerCase()] ?? `IP protocol ${raw}`;
  const from = rule.FromPort as number | undefined;
  const to = rule.ToPort as number | undefined;
  if (protocol.startsWith('ICMP')) {
    // For ICMP the two "ports" are the type and the code.
    const type = from === undefined || from === -1 ? 'all types' : `type ${from}`;
    const icmpCode = to === undefined || to === -1 ? (from === -1 ? '' : ', all codes') : `, code ${to}`;
    return { protocol, ports: `${type}${icmpCode}` };
  }
  if (from === undefined || from === -1 || (from === 0 && to === 65535)) return { protocol, ports: 'all' };
  return { protocol, ports: from === to ? String(from) : `${from}-${to}` };
}

function cidr(value: string): string {
  if (value === '0.0.0.0/0') return 'any IPv4 address (`0.0.0.0/0`)';
  if (value === '::/0') return 'any IPv6 address (`::/0`)';
  return code(value);
}

/** `com.amazonaws.<region>.ecr.api` → `ecr.api`. */
function serviceName(full: string): string {
  return full.replace(/^com\.amazonaws\.(<region>|[a-z0-9-]+)\./, '');
}

/** Code-point order, the same on every machine (unlike `localeCompare`). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function code(text: string): string {
  return `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
