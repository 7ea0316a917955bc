import { beforeAll, describe, expect, it } from 'vitest';
import {
  DUAL_STACK_INTERFACE_ENDPOINTS,
  INTERFACE_ENDPOINTS,
  PlannedIpAddresses,
  SUBNET_PLAN,
  type SubnetTier,
} from '../../lib/constructs/network.js';
import {
  actionsOf,
  resourceNamed,
  resourcesOf,
  roleStatements,
  synthPipeline,
  type Synthesized,
} from './synth.js';

type Props = Record<string, unknown>;
const props = (resource: { Properties?: Props }) => resource.Properties ?? {};
const tag = (resource: { Properties?: Props }, key: string) =>
  ((props(resource).Tags as { Key: string; Value: string }[]) ?? []).find((t) => t.Key === key)?.Value;

/** `{ tier: { az: cidr } }` of the synthesized subnets. */
function subnetPlan(s: Synthesized): Record<string, Record<string, string>> {
  const plan: Record<string, Record<string, string>> = {};
  for (const [, subnet] of resourcesOf(s.template, 'AWS::EC2::Subnet')) {
    const tier = tag(subnet, 'aws-cdk:subnet-name')!;
    (plan[tier] ??= {})[props(subnet).AvailabilityZone as string] = props(subnet).CidrBlock as string;
  }
  return plan;
}

function subnetIdsOf(s: Synthesized, tier: SubnetTier): string[] {
  return resourcesOf(s.template, 'AWS::EC2::Subnet')
    .filter(([, subnet]) => tag(subnet, 'aws-cdk:subnet-name') === tier)
    .map(([id]) => id)
    .sort();
}

const groupId = (s: Synthesized, prefix: string) => ({
  'Fn::GetAtt': [resourceNamed(s.template, 'AWS::EC2::SecurityGroup', prefix)[0], 'GroupId'],
});

function ingressInto(s: Synthesized, prefix: string) {
  const target = JSON.stringify(groupId(s, prefix));
  return resourcesOf(s.template, 'AWS::EC2::SecurityGroupIngress')
    .map(([, rule]) => props(rule))
    .filter((rule) => JSON.stringify(rule.GroupId) === target);
}

const interfaceEndpoints = (s: Synthesized) =>
  resourcesOf(s.template, 'AWS::EC2::VPCEndpoint').filter(
    ([, e]) => props(e).VpcEndpointType === 'Interface',
  );
const natRoutes = (s: Synthesized) =>
  resourcesOf(s.template, 'AWS::EC2::Route').filter(([, route]) => props(route).NatGatewayId !== undefined);

describe('network', () => {
  let twoAzNoNat: Synthesized;
  let threeAzSingleNat: Synthesized;
  let threeAzNatPerAz: Synthesized;

  beforeAll(() => {
    twoAzNoNat = synthPipeline();
    threeAzSingleNat = synthPipeline({ azCount: 3, natMode: 'single' });
    threeAzNatPerAz = synthPipeline({ azCount: 3, natMode: 'perAz' });
  });

  describe('subnet plan', () => {
    it('puts a public, a private and an isolated subnet in each of two AZs at the planned CIDRs', () => {
      expect(subnetPlan(twoAzNoNat)).toEqual({
        Public: { 'us-east-1a': '10.40.0.0/24', 'us-east-1b': '10.40.1.0/24' },
        Isolated: { 'us-east-1a': '10.40.8.0/24', 'us-east-1b': '10.40.9.0/24' },
        Private: { 'us-east-1a': '10.40.16.0/20', 'us-east-1b': '10.40.32.0/20' },
      });
    });

    it('adds a third AZ without moving the subnets of the first two', () => {
      const three = subnetPlan(threeAzSingleNat);
      expect(three).toEqual({
        Public: { 'us-east-1a': '10.40.0.0/24', 'us-east-1b': '10.40.1.0/24', 'us-east-1c': '10.40.2.0/24' },
        Isolated: {
          'us-east-1a': '10.40.8.0/24',
          'us-east-1b': '10.40.9.0/24',
          'us-east-1c': '10.40.10.0/24',
        },
        Private: {
          'us-east-1a': '10.40.16.0/20',
          'us-east-1b': '10.40.32.0/20',
          'us-east-1c': '10.40.48.0/20',
        },
      });
      for (const [tier, zones] of Object.entries(subnetPlan(twoAzNoNat))) {
        expect(three[tier]).toMatchObject(zones);
      }
    });

    it('keeps subnet logical ids when the NAT mode changes', () => {
      const ids = (s: Synthesized) =>
        resourcesOf(s.template, 'AWS::EC2::Subnet')
          .map(([id]) => id)
          .sort();
      expect(ids(threeAzSingleNat)).toEqual(ids(threeAzNatPerAz));
      expect(ids(threeAzSingleNat)).toEqual(expect.arrayContaining(ids(twoAzNoNat)));
    });

    it('plans any /16 and never lets tiers or AZs overlap', () => {
      const zones = ['z1', 'z2', 'z3', 'z4', 'z5', 'z6'];
      const plan = new PlannedIpAddresses('172.20.0.0/16', zones);
      const cidrs = (Object.keys(SUBNET_PLAN) as SubnetTier[]).flatMap((tier) =>
        zones.map((z) => plan.cidrFor(tier, z)),
      );
      const ranges = cidrs.map((cidr) => {
        const [ip, mask] = cidr.split('/');
        const [a, b, c] = ip!.split('.').map(Number);
        expect([a, b]).toEqual([172, 20]);
        const start = c! * 256;
        return [start, start + 2 ** (32 - Number(mask))] as const;
      });
      ranges.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
      expect(ranges.at(-1)![1]).toBeLessThanOrEqual(65536);
    });
  });

  describe('NAT modes', () => {
    it('none: no NAT gateway, no default route from the private tier, interface endpoints instead', () => {
      expect(resourcesOf(twoAzNoNat.template, 'AWS::EC2::NatGateway')).toHaveLength(0);
      expect(natRoutes(twoAzNoNat)).toHaveLength(0);
      const services = interfaceEndpoints(twoAzNoNat).map(([, e]) => JSON.stringify(props(e).ServiceName));
      for (const service of ['.sqs"', '.ecr.api"', '.ecr.dkr"', '.logs"', '.sts"']) {
        expect(services.some((name) => name.endsWith(`${service}]]}`))).toBe(true);
      }
      expect(services).toHaveLength(5);
      const isolated = subnetIdsOf(twoAzNoNat, 'Isolated').map((id) => ({ Ref: id }));
      for (const [, endpoint] of interfaceEndpoints(twoAzNoNat)) {
        expect(props(endpoint).SubnetIds).toEqual(isolated);
        expect(props(endpoint).PrivateDnsEnabled).toBe(true);
        expect(props(endpoint).SecurityGroupIds).toEqual([
          groupId(twoAzNoNat, 'NetworkEndpointSecurityGroup'),
        ]);
      }
    });

    it('none: every service the roles in the VPC may call is reached through an endpoint', () => {
      const endpoints = resourcesOf(twoAzNoNat.template, 'AWS::EC2::VPCEndpoint').map(
        ([, e]) => /\.([a-z0-9.]+)"\]\]\}$/.exec(JSON.stringify(props(e).ServiceName))![1],
      );
      // The IAM prefix of a service, and the endpoints that serve its API.
      const endpointsOf: Record<string, string[]> = {
        s3: ['s3'],
        dynamodb: ['dynamodb'],
        sqs: ['sqs'],
        ecr: ['ecr.api', 'ecr.dkr'],
        logs: ['logs'],
      };
      // EFS is mounted over NFS inside the VPC: its actions are authorised in the NFS session.
      const withinVpc = new Set(['elasticfilesystem']);
      const roles = [
        'DispatcherFunctionServiceRole',
        'WorkerTaskDefinitionTaskRole',
        'WorkerTaskDefinitionExecutionRole',
      ];
      const services = new Set(
        roles.flatMap((role) =>
          roleStatements(twoAzNoNat.template, role).flatMap((st) =>
            actionsOf(st).map((a) => a.split(':')[0]!),
          ),
        ),
      );
      expect([...services].sort()).toEqual(expect.arrayContaining(['dynamodb', 'ecr', 'logs', 's3', 'sqs']));
      for (const service of services) {
        if (withinVpc.has(service)) continue;
        expect(endpointsOf[service], `which endpoint serves ${service}`).toBeDefined();
        for (const endpoint of endpointsOf[service]!) expect(endpoints, service).toContain(endpoint);
      }
    });

    it('single: one NAT gateway that every private subnet routes through, no interface endpoints', () => {
      expect(resourcesOf(threeAzSingleNat.template, 'AWS::EC2::NatGateway')).toHaveLength(1);
      const routes = natRoutes(threeAzSingleNat);
      expect(routes).toHaveLength(3);
      expect(new Set(routes.map(([, r]) => JSON.stringify(props(r).NatGatewayId))).size).toBe(1);
      expect(interfaceEndpoints(threeAzSingleNat)).toHaveLength(0);
    });

    it('perAz: one NAT gateway per AZ, each private subnet through its own', () => {
      expect(resourcesOf(threeAzNatPerAz.template, 'AWS::EC2::NatGateway')).toHaveLength(3);
      const routes = natRoutes(threeAzNatPerAz);
      expect(routes).toHaveLength(3);
      expect(new Set(routes.map(([, r]) => JSON.stringify(props(r).NatGatewayId))).size).toBe(3);
      expect(interfaceEndpoints(threeAzNatPerAz)).toHaveLength(0);
    });

    it('always has S3 and DynamoDB gateway endpoints on every route table', () => {
      for (const s of [twoAzNoNat, threeAzSingleNat, threeAzNatPerAz]) {
        const gateways = resourcesOf(s.template, 'AWS::EC2::VPCEndpoint').filter(
          ([, e]) => props(e).VpcEndpointType === undefined || props(e).VpcEndpointType === 'Gateway',
        );
        expect(gateways.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
          'NetworkVpcDynamoDb',
          'NetworkVpcS3',
        ]);
        const routeTables = resourcesOf(s.template, 'AWS::EC2::RouteTable').length;
        for (const [, gateway] of gateways) expect(props(gateway).RouteTableIds).toHaveLength(routeTables);
      }
    });
  });

  describe('security groups', () => {
    it('admits only NFS (TCP 2049) into EFS, and only from the dispatcher and worker groups', () => {
      for (const s of [twoAzNoNat, threeAzNatPerAz]) {
        const rules = ingressInto(s, 'NetworkFileSystemSecurityGroup');
        expect(rules.map((r) => [r.IpProtocol, r.FromPort, r.ToPort])).toEqual([
          ['tcp', 2049, 2049],
          ['tcp', 2049, 2049],
        ]);
        expect(rules.map((r) => r.SourceSecurityGroupId)).toEqual(
          expect.arrayContaining([
            groupId(s, 'NetworkDispatcherSecurityGroup'),
            groupId(s, 'NetworkWorkerSecurityGroup'),
          ]),
        );
      }
    });

    it('admits HTTPS into the interface endpoints only from the two compute groups', () => {
      const rules = ingressInto(twoAzNoNat, 'NetworkEndpointSecurityGroup');
      expect(rules.map((r) => [r.IpProtocol, r.FromPort, r.ToPort])).toEqual([
        ['tcp', 443, 443],
        ['tcp', 443, 443],
      ]);
      expect(rules.map((r) => r.SourceSecurityGroupId)).toEqual(
        expect.arrayContaining([
          groupId(twoAzNoNat, 'NetworkDispatcherSecurityGroup'),
          groupId(twoAzNoNat, 'NetworkWorkerSecurityGroup'),
        ]),
      );
    });

    it('has no ingress into the compute groups at all', () => {
      expect(ingressInto(twoAzNoNat, 'NetworkDispatcherSecurityGroup')).toEqual([]);
      expect(ingressInto(twoAzNoNat, 'NetworkWorkerSecurityGroup')).toEqual([]);
    });

    it('has no ingress from any CIDR or prefix list anywhere', () => {
      for (const s of [twoAzNoNat, threeAzSingleNat, threeAzNatPerAz]) {
        for (const [, group] of resourcesOf(s.template, 'AWS::EC2::SecurityGroup')) {
          expect(props(group).SecurityGroupIngress ?? []).toEqual([]);
        }
        for (const [, rule] of resourcesOf(s.template, 'AWS::EC2::SecurityGroupIngress')) {
          expect(Object.keys(props(rule))).not.toEqual(
            expect.arrayContaining([expect.stringMatching(/^(CidrIp|CidrIpv6|SourcePrefixListId)$/)]),
          );
          expect(props(rule).SourceSecurityGroupId).toBeDefined();
        }
      }
    });

    it('lets the compute out on HTTPS and NFS only', () => {
      for (const prefix of ['NetworkDispatcherSecurityGroup', 'NetworkWorkerSecurityGroup']) {
        const [, group] = resourceNamed(twoAzNoNat.template, 'AWS::EC2::SecurityGroup', prefix);
        const target = JSON.stringify(groupId(twoAzNoNat, prefix));
        const egress = [
          ...((props(group).SecurityGroupEgress as Props[]) ?? []),
          ...resourcesOf(twoAzNoNat.template, 'AWS::EC2::SecurityGroupEgress')
            .map(([, rule]) => props(rule))
            .filter((rule) => JSON.stringify(rule.GroupId) === target),
        ];
        expect(new Set(egress.map((rule) => `${rule.IpProtocol}/${rule.FromPort}-${rule.ToPort}`))).toEqual(
          new Set(['tcp/443-443', 'tcp/2049-2049']),
        );
      }
    });

    it('strips the rules of the VPC default security group', () => {
      twoAzNoNat.template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    });
  });

  it('logs all VPC traffic to CloudWatch Logs with the configured retention', () => {
    const [, flowLog] = resourceNamed(twoAzNoNat.template, 'AWS::EC2::FlowLog', 'NetworkVpcFlowLog');
    expect(props(flowLog)).toMatchObject({
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    const [logGroupId, logGroup] = resourceNamed(
      twoAzNoNat.template,
      'AWS::Logs::LogGroup',
      'NetworkFlowLogs',
    );
    expect(props(flowLog).LogGroupName).toEqual({ Ref: logGroupId });
    expect(props(logGroup).RetentionInDays).toBe(30);
  });

  it('puts one EFS mount target in the private subnet of every AZ, behind the EFS group', () => {
    for (const s of [twoAzNoNat, threeAzNatPerAz]) {
      const targets = resourcesOf(s.template, 'AWS::EFS::MountTarget').map(([, t]) => props(t));
      expect(targets.map((t) => (t.SubnetId as { Ref: string }).Ref).sort()).toEqual(
        subnetIdsOf(s, 'Private'),
      );
      for (const t of targets)
        expect(t.SecurityGroups).toEqual([groupId(s, 'NetworkFileSystemSecurityGroup')]);
    }
  });

  describe('IPv6 dual stack (context ipv6)', () => {
    let dualNoNat: Synthesized;
    let dualSingleNat: Synthesized;
    let dualNatPerAz: Synthesized;

    beforeAll(() => {
      dualNoNat = synthPipeline({ ipv6: true });
      dualSingleNat = synthPipeline({ ipv6: true, azCount: 3, natMode: 'single' });
      dualNatPerAz = synthPipeline({ ipv6: true, azCount: 3, natMode: 'perAz' });
    });

    const vpcLogicalId = (s: Synthesized) => resourceNamed(s.template, 'AWS::EC2::VPC', 'NetworkVpc')[0];
    const cidrBlocks = (s: Synthesized) => resourcesOf(s.template, 'AWS::EC2::VPCCidrBlock');
    const eigws = (s: Synthesized) => resourcesOf(s.template, 'AWS::EC2::EgressOnlyInternetGateway');
    const ipv6Routes = (s: Synthesized) =>
      resourcesOf(s.template, 'AWS::EC2::Route')
        .map(([, route]) => props(route))
        .filter((route) => route.DestinationIpv6CidrBlock !== undefined);
    /** Route table logical id → tier of the subnet associated with it. */
    function tierOfRouteTable(s: Synthesized): Map<string, string> {
      const tierOfSubnet = new Map(
        resourcesOf(s.template, 'AWS::EC2::Subnet').map(([id, subnet]) => [
          id,
          tag(subnet, 'aws-cdk:subnet-name')!,
        ]),
      );
      return new Map(
        resourcesOf(s.template, 'AWS::EC2::SubnetRouteTableAssociation').map(([, association]) => [
          (props(association).RouteTableId as { Ref: string }).Ref,
          tierOfSubnet.get((props(association).SubnetId as { Ref: string }).Ref)!,
        ]),
      );
    }
    /** `{ tier: { az: n } }`: the /64 number each subnet selects from the VPC's /56. */
    function ipv6Plan(s: Synthesized): Record<string, Record<string, number>> {
      const blocksOfVpc = {
        'Fn::Cidr': [{ 'Fn::Select': [0, { 'Fn::GetAtt': [vpcLogicalId(s), 'Ipv6CidrBlocks'] }] }, 256, '64'],
      };
      const plan: Record<string, Record<string, number>> = {};
      for (const [, subnet] of resourcesOf(s.template, 'AWS::EC2::Subnet')) {
        const select = props(subnet).Ipv6CidrBlock as { 'Fn::Select': [number, unknown] };
        expect(select['Fn::Select'][1]).toEqual(blocksOfVpc);
        (plan[tag(subnet, 'aws-cdk:subnet-name')!] ??= {})[props(subnet).AvailabilityZone as string] =
          select['Fn::Select'][0];
      }
      return plan;
    }

    it('is off by default: the IPv4 template has no IPv6 anywhere', () => {
      for (const s of [twoAzNoNat, threeAzSingleNat, threeAzNatPerAz]) {
        expect(JSON.stringify(s.template.toJSON())).not.toMatch(/ipv6|EgressOnly|dualstack|::\/0/i);
      }
      expect(synthPipeline({ ipv6: false }).template.toJSON()).toEqual(twoAzNoNat.template.toJSON());
    });

    it('gives the VPC one Amazon-provided IPv6 block, before any subnet', () => {
      for (const s of [dualNoNat, dualNatPerAz]) {
        const blocks = cidrBlocks(s);
        expect(blocks).toHaveLength(1);
        const [blockId, block] = blocks[0]!;
        expect(props(block)).toEqual({ AmazonProvidedIpv6CidrBlock: true, VpcId: { Ref: vpcLogicalId(s) } });
        for (const [, subnet] of resourcesOf(s.template, 'AWS::EC2::Subnet')) {
          expect(subnet.DependsOn).toContain(blockId);
        }
      }
    });

    it('gives every subnet the /64 numbered by the third octet of its planned IPv4 CIDR', () => {
      expect(ipv6Plan(dualSingleNat)).toEqual({
        Public: { 'us-east-1a': 0, 'us-east-1b': 1, 'us-east-1c': 2 },
        Isolated: { 'us-east-1a': 8, 'us-east-1b': 9, 'us-east-1c': 10 },
        Private: { 'us-east-1a': 16, 'us-east-1b': 32, 'us-east-1c': 48 },
      });
      for (const [, subnet] of resourcesOf(dualSingleNat.template, 'AWS::EC2::Subnet')) {
        const thirdOctet = Number((props(subnet).CidrBlock as string).split('.')[2]);
        expect((props(subnet).Ipv6CidrBlock as { 'Fn::Select': [number] })['Fn::Select'][0]).toBe(thirdOctet);
      }
    });

    it('keeps the /64s of the first two AZs when a third is added, and the IPv4 plan as it was', () => {
      const three = ipv6Plan(dualSingleNat);
      for (const [tier, zones] of Object.entries(ipv6Plan(dualNoNat)))
        expect(three[tier]).toMatchObject(zones);
      expect(subnetPlan(dualNoNat)).toEqual(subnetPlan(twoAzNoNat));
      expect(subnetPlan(dualSingleNat)).toEqual(subnetPlan(threeAzSingleNat));
    });

    it('plans a distinct /64 of the /56 for every tier of six AZs', () => {
      const zones = ['z1', 'z2', 'z3', 'z4', 'z5', 'z6'];
      const plan = new PlannedIpAddresses('10.40.0.0/16', zones);
      const indexes = (Object.keys(SUBNET_PLAN) as SubnetTier[]).flatMap((tier) =>
        zones.map((z) => plan.ipv6Index(tier, z)),
      );
      expect(new Set(indexes).size).toBe(indexes.length);
      for (const index of indexes) expect(index).toBeGreaterThanOrEqual(0);
      for (const index of indexes) expect(index).toBeLessThan(256);
    });

    it('routes ::/0 from the public tier to the internet gateway, and assigns no IPv6 address there', () => {
      for (const s of [dualNoNat, dualSingleNat, dualNatPerAz]) {
        const tiers = tierOfRouteTable(s);
        const [igwId] = resourceNamed(s.template, 'AWS::EC2::InternetGateway', 'NetworkVpcIGW');
        const publicRoutes = ipv6Routes(s).filter(
          (r) => tiers.get((r.RouteTableId as { Ref: string }).Ref) === 'Public',
        );
        expect(publicRoutes).toHaveLength(subnetIdsOf(s, 'Public').length);
        for (const route of publicRoutes) {
          expect(route).toMatchObject({ DestinationIpv6CidrBlock: '::/0', GatewayId: { Ref: igwId } });
        }
        for (const [, subnet] of resourcesOf(s.template, 'AWS::EC2::Subnet')) {
          const publicTier = tag(subnet, 'aws-cdk:subnet-name') === 'Public';
          expect(props(subnet).AssignIpv6AddressOnCreation).toBe(!publicTier);
          if (publicTier) expect(props(subnet).MapPublicIpOnLaunch).toBe(false);
        }
      }
    });

    it('with a NAT: an egress-only gateway and a ::/0 route to it from every private subnet, none from the isolated tier', () => {
      for (const s of [dualSingleNat, dualNatPerAz]) {
        const gateways = eigws(s);
        expect(gateways).toHaveLength(1);
        expect(props(gateways[0]![1]).VpcId).toEqual({ Ref: vpcLogicalId(s) });
        const tiers = tierOfRouteTable(s);
        const byTier = (tier: string) =>
          ipv6Routes(s).filter((r) => tiers.get((r.RouteTableId as { Ref: string }).Ref) === tier);
        const privateRoutes = byTier('Private');
        expect(privateRoutes).toHaveLength(3);
        expect(new Set(privateRoutes.map((r) => (r.RouteTableId as { Ref: string }).Ref)).size).toBe(3);
        for (const route of privateRoutes) {
          expect(route).toEqual({
            DestinationIpv6CidrBlock: '::/0',
            EgressOnlyInternetGatewayId: { Ref: gateways[0]![0] },
            RouteTableId: route.RouteTableId,
          });
        }
        expect(byTier('Isolated')).toEqual([]);
      }
    });

    it('without a NAT: no egress-only gateway and no IPv6 route out of the private or isolated tier', () => {
      expect(eigws(dualNoNat)).toEqual([]);
      const tiers = tierOfRouteTable(dualNoNat);
      expect(ipv6Routes(dualNoNat).map((r) => tiers.get((r.RouteTableId as { Ref: string }).Ref))).toEqual([
        'Public',
        'Public',
      ]);
      expect(natRoutes(dualNoNat)).toEqual([]);
    });

    function egressOf(s: Synthesized, prefix: string): Props[] {
      const [, group] = resourceNamed(s.template, 'AWS::EC2::SecurityGroup', prefix);
      const target = JSON.stringify(groupId(s, prefix));
      return [
        ...((props(group).SecurityGroupEgress as Props[]) ?? []),
        ...resourcesOf(s.template, 'AWS::EC2::SecurityGroupEgress')
          .map(([, rule]) => props(rule))
          .filter((rule) => JSON.stringify(rule.GroupId) === target),
      ];
    }
    const computeGroups = ['NetworkDispatcherSecurityGroup', 'NetworkWorkerSecurityGroup'];

    it('lets the compute out on HTTPS over IPv6 where the private tier has an IPv6 route, and nothing else over IPv6', () => {
      for (const s of [dualSingleNat, dualNatPerAz]) {
        for (const prefix of computeGroups) {
          const ipv6 = egressOf(s, prefix).filter((rule) => rule.CidrIpv6 !== undefined);
          expect(ipv6).toEqual([
            {
              CidrIpv6: '::/0',
              Description: 'HTTPS to AWS APIs over IPv6',
              FromPort: 443,
              IpProtocol: 'tcp',
              ToPort: 443,
            },
          ]);
          expect(
            new Set(egressOf(s, prefix).map((r) => `${r.IpProtocol}/${r.FromPort}-${r.ToPort}`)),
          ).toEqual(new Set(['tcp/443-443', 'tcp/2049-2049']));
        }
      }
      for (const prefix of computeGroups) {
        expect(egressOf(dualNoNat, prefix).filter((rule) => rule.CidrIpv6 !== undefined)).toEqual([]);
      }
    });

    it('still admits nothing from any CIDR, IPv4 or IPv6', () => {
      for (const s of [dualNoNat, dualSingleNat, dualNatPerAz]) {
        for (const [, group] of resourcesOf(s.template, 'AWS::EC2::SecurityGroup')) {
          expect(props(group).SecurityGroupIngress ?? []).toEqual([]);
        }
        for (const [, rule] of resourcesOf(s.template, 'AWS::EC2::SecurityGroupIngress')) {
          expect(props(rule).CidrIp).toBeUndefined();
          expect(props(rule).CidrIpv6).toBeUndefined();
          expect(props(rule).SourceSecurityGroupId).toBeDefined();
        }
      }
    });

    it('allows the dispatcher IPv6 on its network interfaces only in a dual-stack VPC', () => {
      const vpcConfig = (s: Synthesized) =>
        props(resourceNamed(s.template, 'AWS::Lambda::Function', 'DispatcherFunction')[1]).VpcConfig as Props;
      for (const s of [dualNoNat, dualNatPerAz]) expect(vpcConfig(s).Ipv6AllowedForDualStack).toBe(true);
      expect(vpcConfig(twoAzNoNat).Ipv6AllowedForDualStack).toBeUndefined();
      const inVpc = resourcesOf(dualNoNat.template, 'AWS::Lambda::Function').filter(
        ([, fn]) => props(fn).VpcConfig !== undefined,
      );
      expect(inVpc.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['DispatcherFunction']);
    });

    it('makes only the interface endpoints whose service supports IPv6 over PrivateLink dual stack', () => {
      expect([...DUAL_STACK_INTERFACE_ENDPOINTS]).toEqual(['Sts']);
      const endpoints = interfaceEndpoints(dualNoNat);
      expect(endpoints).toHaveLength(Object.keys(INTERFACE_ENDPOINTS).length);
      for (const [id, endpoint] of endpoints) {
        const name = id.replace(/^NetworkVpc/, '').replace(/Endpoint[0-9A-F]{8}$/, '');
        if (DUAL_STACK_INTERFACE_ENDPOINTS.has(name)) {
          expect(props(endpoint)).toMatchObject({
            IpAddressType: 'dualstack',
            DnsOptions: { DnsRecordIpType: 'dualstack' },
            PrivateDnsEnabled: true,
          });
        } else {
          expect(props(endpoint).IpAddressType).toBeUndefined();
          expect(props(endpoint).DnsOptions).toBeUndefined();
        }
      }
    });
  });
});
