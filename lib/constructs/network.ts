import { Aws, CfnRule, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { DEFAULTS, type NatMode } from '../config.js';
import { acknowledgeCdkHandler, acknowledgeCheckov, CDK_HANDLER_ID, logGroupKeyReason } from './scanners.js';
import { ConstructValidationError, PropValidationError } from './validation.js';

/**
 * The subnet plan. Every AZ gets one subnet per tier at a fixed place in the VPC's /16, so adding
 * an AZ never renumbers an existing subnet and switching NAT mode only changes route tables.
 * AWS keeps 5 addresses of every subnet.
 *
 * | tier     | mask | usable | AZ i (0-based) of 10.40.0.0/16 | holds                                       |
 * |----------|------|--------|--------------------------------|---------------------------------------------|
 * | Public   | /24  | 251    | 10.40.{i}.0/24         (0-7)   | NAT gateways (when natMode ≠ none)          |
 * | Isolated | /24  | 251    | 10.40.{8+i}.0/24       (8-15)  | interface VPC endpoints (when natMode none) |
 * | Private  | /20  | 4,091  | 10.40.{16(i+1)}.0/20   (16-111)| dispatcher ENIs, worker tasks, EFS targets  |
 *
 * 10.40.112.0/20 and 10.40.128.0/17 stay free. The same table is in docs/cidr-plan.md.
 *
 * With IPv6 on, the VPC's Amazon-provided /56 holds 256 /64s, and each subnet takes the /64 whose
 * number is its third octet above (public AZ i: /64 number i, isolated: 8 + i, private: 16(i + 1)),
 * so the IPv6 side moves no more than the IPv4 side when an AZ is added.
 */
export const SUBNET_PLAN = {
  Public: { cidrMask: 24, thirdOctet: (az: number) => az },
  Isolated: { cidrMask: 24, thirdOctet: (az: number) => 8 + az },
  Private: { cidrMask: 20, thirdOctet: (az: number) => 16 * (az + 1) },
} as const;

export type SubnetTier = keyof typeof SUBNET_PLAN;

/** Most AZs the plan has room for (the private tier's /20s end at .111). */
const MAX_PLANNED_AZS = 6;

/** /64s in the /56 AWS gives a VPC: one per possible third octet of the IPv4 plan. */
const IPV6_SUBNETS_PER_VPC = 256;

/**
 * Hands the VPC the subnet CIDRs of `SUBNET_PLAN` instead of letting CDK pack them in order
 * (which moves the later tiers whenever the AZ count changes). As the VPC's IPv6 provider it asks
 * for an Amazon-provided /56 and gives every subnet the /64 its IPv4 plan implies (`ipv6Index`);
 * CDK's own provider numbers /64s in creation order, which an added AZ would shift.
 */
export class PlannedIpAddresses implements ec2.IIpAddresses, ec2.IIpv6Addresses {
  readonly amazonProvided = true;
  private readonly octets: [number, number];
  /** The /64 number of each IPv4 subnet CIDR handed out, for the IPv6 allocation that follows. */
  private readonly ipv6IndexByCidr = new Map<string, number>();

  /** `scope`, when given, is the construct whose props these are; errors name it. */
  constructor(
    private readonly vpcCidr: string,
    private readonly availabilityZones: readonly string[],
    private readonly scope?: IConstruct,
  ) {
    const octets = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/.exec(vpcCidr)?.slice(1, 3).map(Number);
    const [a, b] = octets ?? [];
    if (a === undefined || b === undefined || a > 255 || b > 255) {
      throw new PropValidationError(
        'vpcCidr',
        vpcCidr,
        "an IPv4 /16 such as '10.40.0.0/16' (the subnet plan carves /16s)",
        scope,
      );
    }
    if (availabilityZones.length > MAX_PLANNED_AZS) {
      throw new PropValidationError(
        'availabilityZones',
        availabilityZones,
        `at most ${MAX_PLANNED_AZS} zones (the subnet plan has room for ${MAX_PLANNED_AZS})`,
        scope,
      );
    }
    this.octets = [a, b];
  }

  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    return {
      allocatedSubnets: input.requestedSubnets.map((requested) => {
        const tier = requested.configuration.name as SubnetTier;
        const cidr = this.cidrFor(tier, requested.availabilityZone);
        this.ipv6IndexByCidr.set(cidr, this.ipv6Index(tier, requested.availabilityZone));
        return { cidr };
      }),
    };
  }

  allocateVpcIpv6Cidr(input: ec2.AllocateVpcIpv6CidrRequest): ec2.CfnVPCCidrBlock {
    return new ec2.CfnVPCCidrBlock(input.scope, 'ipv6cidr', {
      vpcId: input.vpcId,
      amazonProvidedIpv6CidrBlock: true,
    });
  }

  /** Every /64 of the VPC's /56, in order, so that a subnet picks its own by number. */
  createIpv6CidrBlocks(input: ec2.CreateIpv6CidrBlocksRequest): string[] {
    return Fn.cidr(input.ipv6SelectedCidr, IPV6_SUBNETS_PER_VPC, '64');
  }

  allocateSubnetsIpv6Cidr(input: ec2.AllocateIpv6CidrRequest): ec2.SubnetIpamOptions {
    return {
      allocatedSubnets: input.allocatedSubnets.map((allocated) => {
        const index = this.ipv6IndexByCidr.get(allocated.cidr);
        if (index === undefined) {
          throw new ConstructValidationError(`no planned IPv6 /64 for subnet ${allocated.cidr}`, this.scope);
        }
        return { cidr: allocated.cidr, ipv6Cidr: Fn.select(index, input.ipv6Cidrs) };
      }),
    };
  }

  /** The planned CIDR of one tier in one AZ. */
  cidrFor(tier: SubnetTier, availabilityZone: string): string {
    return `${this.octets[0]}.${this.octets[1]}.${this.thirdOctet(tier, availabilityZone)}.0/${SUBNET_PLAN[tier].cidrMask}`;
  }

  /** The number (0-255) of the /64 of one tier in one AZ within the VPC's /56. */
  ipv6Index(tier: SubnetTier, availabilityZone: string): number {
    return this.thirdOctet(tier, availabilityZone);
  }

  private thirdOctet(tier: SubnetTier, availabilityZone: string): number {
    const plan = SUBNET_PLAN[tier];
    const az = this.availabilityZones.indexOf(availabilityZone);
    if (!plan || az < 0) {
      throw new ConstructValidationError(
        `no planned subnet for tier ${tier} in ${availabilityZone}`,
        this.scope,
      );
    }
    return plan.thirdOctet(az);
  }
}

export interface NetworkProps {
  /** Zones to span, each with one subnet per tier. */
  readonly availabilityZones: readonly string[];
  /**
   * IPv4 /16 of the VPC.
   * @default '10.40.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * `none`: no NAT gateway; the private tier has no route out and reaches AWS APIs through
   * gateway and interface endpoints. `single`: one NAT gateway. `perAz`: one per AZ.
   * @default 'none'
   */
  readonly natMode?: NatMode;
  /**
   * Dual stack: an Amazon-provided IPv6 /56 on the VPC and a planned /64 on every subnet. The
   * public tier routes `::/0` to the internet gateway; the private tier gets an egress-only
   * internet gateway and HTTPS out over IPv6 only when `natMode` gives it the IPv4 internet
   * (with `none` it has no internet path in either family); the isolated tier has no IPv6 route.
   * @default false
   */
  readonly ipv6?: boolean;
  /**
   * Retention of the VPC flow log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Removal policy of the flow log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Interface endpoints the compute in the VPC needs when there is no NAT (S3 and DynamoDB use
 * gateways). Only the dispatcher and the worker tasks run in the VPC; the launcher, which calls
 * ECS, does not, and Fargate itself needs no ECS endpoint in the task's VPC.
 */
export const INTERFACE_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  // The dispatcher queues launch requests for long jobs.
  Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  // Fargate pulls the worker image (layers come from S3 through the gateway endpoint).
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  // awslogs driver of the worker; EMF metrics travel inside the log events.
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  // Regional STS for SDK credential flows inside the VPC.
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
};

/**
 * The interface endpoints made dual stack when `ipv6` is on: those whose service documents IPv6
 * through PrivateLink (STS, in the IAM guide's "Dual-stack endpoint support"). ECR documents that
 * it does not carry PrivateLink traffic over dual stack, and Fargate pulls images over the task's
 * IPv4 address anyway; SQS and CloudWatch Logs stay IPv4 until their PrivateLink IPv6 support is
 * confirmed, since an endpoint service without it fails the deployment. IPv4 reaches them all.
 */
export const DUAL_STACK_INTERFACE_ENDPOINTS: ReadonlySet<keyof typeof INTERFACE_ENDPOINTS> = new Set(['Sts']);

/**
 * The VPC: a public, a private and an isolated subnet in every AZ (see `SUBNET_PLAN`), S3 and
 * DynamoDB gateway endpoints, flow logs, and the security groups of the compute and of EFS.
 *
 * CDK refuses `PRIVATE_WITH_EGRESS` subnets without a NAT gateway, so with `natMode: 'none'`
 * the private tier is created as `PRIVATE_ISOLATED` under the same name and CIDRs, and the
 * interface endpoints take the place of the NAT. Consumers select it with `computeSubnets`,
 * which names the tier rather than its type, so nothing else changes between modes.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The private tier: dispatcher, worker tasks and EFS mount targets live here. */
  readonly computeSubnets: ec2.SubnetSelection;
  /** Security group of the dispatcher Lambda. */
  readonly dispatcherSecurityGroup: ec2.SecurityGroup;
  /** Security group of worker tasks. */
  readonly workerSecurityGroup: ec2.SecurityGroup;
  /** Security group of the EFS mount targets: NFS from the two compute groups, nothing else. */
  readonly fileSystemSecurityGroup: ec2.SecurityGroup;
  /** Security group of the interface endpoints (only when natMode is `none`). */
  readonly endpointSecurityGroup?: ec2.SecurityGroup;
  readonly flowLogGroup: logs.LogGroup;
  readonly natMode: NatMode;
  /** Whether the VPC and its subnets are dual stack; functions placed in it may then use IPv6. */
  readonly ipv6: boolean;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natMode = props.natMode ?? DEFAULTS.natMode;
    this.natMode = natMode;
    const ipv6 = props.ipv6 ?? DEFAULTS.ipv6;
    this.ipv6 = ipv6;
    const azs = props.availabilityZones;
    // A zone name is its region's name and one letter.
    const region = azs[0]?.slice(0, -1);
    if (!region || azs.some((az) => !/^[a-z]$/.test(az.slice(-1)) || az.slice(0, -1) !== region)) {
      throw new PropValidationError(
        'availabilityZones',
        azs,
        "one or more zones of one region, such as ['us-east-1a', 'us-east-1b']",
        this,
      );
    }
    if (new Set(azs).size !== azs.length) {
      throw new PropValidationError('availabilityZones', azs, 'a list that names each zone once', this);
    }
    const natGateways = natMode === 'none' ? 0 : natMode === 'single' ? 1 : azs.length;

    const plannedAddresses = new PlannedIpAddresses(props.vpcCidr ?? DEFAULTS.vpcCidr, azs, this);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: plannedAddresses,
      // CDK routes the public tier's ::/0 to the internet gateway, and gives an egress-only
      // gateway and ::/0 routes to PRIVATE_WITH_EGRESS subnets only, i.e. only with a NAT
      // (feature flag requirePrivateSubnetsForEgressOnlyInternetGateway, set in cdk.json).
      ...(ipv6 ? { ipProtocol: ec2.IpProtocol.DUAL_STACK, ipv6Addresses: plannedAddresses } : {}),
      availabilityZones: [...azs],
      natGateways,
      natGatewaySubnets: { subnetGroupName: 'Public' },
      subnetConfiguration: [
        {
          name: 'Public',
          subnetType: ec2.SubnetType.PUBLIC,
          cidrMask: SUBNET_PLAN.Public.cidrMask,
          mapPublicIpOnLaunch: false,
          // No hosts here, and an IPv6 address in this tier is reachable from the internet.
          ...(ipv6 ? { ipv6AssignAddressOnCreation: false } : {}),
        },
        {
          name: 'Private',
          subnetType: natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: SUBNET_PLAN.Private.cidrMask,
        },
        {
          name: 'Isolated',
          subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: SUBNET_PLAN.Isolated.cidrMask,
        },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.computeSubnets = { subnetGroupName: 'Private' };
    acknowledgeCdkHandler(
      Stack.of(this),
      CDK_HANDLER_ID.RESTRICT_DEFAULT_SG,
      "Removes the default security group's rules",
    );

    // The stack is environment-agnostic but its zone names are not: fail fast in another region.
    new CfnRule(this, 'RegionMatchesZones', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, region),
          assertDescription: `The subnets are planned in ${azs.join(', ')}: deploy to ${region} or set context 'region'.`,
        },
      ],
    });

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    acknowledgeCheckov(
      this.flowLogGroup,
      'CKV_AWS_158',
      logGroupKeyReason('connection records (addresses, ports, bytes, accept or reject)'),
    );

    // Egress is limited to what the compute does: HTTPS to AWS APIs and NFS to EFS.
    this.dispatcherSecurityGroup = new ec2.SecurityGroup(this, 'DispatcherSecurityGroup', {
      vpc: this.vpc,
      description: 'Dispatcher Lambda: no ingress; HTTPS out, NFS to EFS',
      allowAllOutbound: false,
    });
    this.workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc: this.vpc,
      description: 'Worker tasks: no ingress; HTTPS out, NFS to EFS',
      allowAllOutbound: false,
    });
    this.fileSystemSecurityGroup = new ec2.SecurityGroup(this, 'FileSystemSecurityGroup', {
      vpc: this.vpc,
      description: 'EFS mount targets: NFS from the dispatcher and worker groups only',
      allowAllOutbound: false,
    });
    // IPv6 egress only where the private tier has an IPv6 route out (the egress-only gateway).
    const ipv6Internet = ipv6 && natGateways > 0;
    for (const compute of [this.dispatcherSecurityGroup, this.workerSecurityGroup]) {
      compute.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
      if (ipv6Internet) {
        compute.addEgressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(443), 'HTTPS to AWS APIs over IPv6');
      }
      compute.connections.allowTo(this.fileSystemSecurityGroup, ec2.Port.tcp(2049), 'NFS to EFS');
    }

    if (natMode === 'none') {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface endpoints: HTTPS from the dispatcher and worker groups only',
        allowAllOutbound: false,
      });
      for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
        const dualStack = ipv6 && DUAL_STACK_INTERFACE_ENDPOINTS.has(name);
        this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          ...(dualStack
            ? {
                ipAddressType: ec2.VpcEndpointIpAddressType.DUALSTACK,
                dnsRecordIpType: ec2.VpcEndpointDnsRecordIpType.DUALSTACK,
              }
            : {}),
          subnets: { subnetGroupName: 'Isolated' },
          securityGroups: [this.endpointSecurityGroup],
          privateDnsEnabled: true,
          // Not `open`: that would admit the whole VPC CIDR.
          open: false,
        });
      }
      for (const compute of [this.dispatcherSecurityGroup, this.workerSecurityGroup]) {
        compute.connections.allowTo(
          this.endpointSecurityGroup,
          ec2.Port.tcp(443),
          'HTTPS to interface endpoints',
        );
      }
    }
  }
}
