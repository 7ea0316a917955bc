import { describe, expect, it } from 'vitest';
import { Env } from '../../../contract/names.js';
import { renderNetworkDoc, type CfnTemplate } from '../../../lib/network-doc.js';

type Resources = NonNullable<CfnTemplate['Resources']>;

const ref = (id: string) => ({ Ref: id });
const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });
const group = (description: string, props: Record<string, unknown> = {}) => ({
  Type: 'AWS::EC2::SecurityGroup',
  Properties: { GroupDescription: description, VpcId: ref('Vpc'), ...props },
});
const subnet = (tier: string, az: string, cidr: string) => ({
  Type: 'AWS::EC2::Subnet',
  Properties: {
    AvailabilityZone: az,
    CidrBlock: cidr,
    VpcId: ref('Vpc'),
    Tags: [{ Key: 'aws-cdk:subnet-name', Value: tier }],
  },
});
const association = (subnetId: string, tableId: string) => ({
  Type: 'AWS::EC2::SubnetRouteTableAssociation',
  Properties: { SubnetId: ref(subnetId), RouteTableId: ref(tableId) },
});
/** CDK's outbound rule for a group that may send nothing. */
const NO_EGRESS = { CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 };

/** The part of the document about one security group, from its heading to the next one. */
function groupSection(doc: string, name: string): string {
  const start = doc.indexOf(`### \`${name}\``);
  expect(start, `no section for ${name}`).toBeGreaterThanOrEqual(0);
  const next = doc.indexOf('\n#', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

function tierSection(doc: string, tier: string): string {
  const start = doc.indexOf(`### ${tier}\n`);
  expect(start, `no section for tier ${tier}`).toBeGreaterThanOrEqual(0);
  const next = doc.indexOf('\n#', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

/** Two zones, an app group and a database group, one Lambda function in the private tier. */
function smallNetwork(extra: Resources = {}): CfnTemplate {
  return {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      PrivateA: subnet('Private', 'eu-west-1a', '10.0.1.0/24'),
      PrivateB: subnet('Private', 'eu-west-1b', '10.0.2.0/24'),
      AppSgAAAA1111: group('App', { SecurityGroupEgress: [NO_EGRESS] }),
      DbSgBBBB2222: group('Database', { SecurityGroupEgress: [NO_EGRESS] }),
      DbFromApp: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: groupId('DbSgBBBB2222'),
          SourceSecurityGroupId: groupId('AppSgAAAA1111'),
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          Description: 'Postgres from the app',
        },
      },
      AppToDb: {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: {
          GroupId: groupId('AppSgAAAA1111'),
          DestinationSecurityGroupId: groupId('DbSgBBBB2222'),
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          Description: 'Postgres to the database',
        },
      },
      AppFunctionCCCC3333: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          VpcConfig: {
            SecurityGroupIds: [groupId('AppSgAAAA1111')],
            SubnetIds: [ref('PrivateA'), ref('PrivateB')],
          },
        },
      },
      ...extra,
    },
  };
}

describe('the network document', () => {
  it("lists what a group admits from another group, on which protocol and port, and names groups without CDK's hash", () => {
    const db = groupSection(renderNetworkDoc(smallNetwork()), 'DbSg');
    expect(db).toContain('> Database');
    expect(db).toContain('| group `AppSg` | TCP | 5432 | Postgres from the app |');
  });

  it('lists what a group lets out to another group, and no ingress as nothing', () => {
    const app = groupSection(renderNetworkDoc(smallNetwork()), 'AppSg');
    expect(app).toMatch(/\*\*Admits \(ingress\)\*\*\n\nNothing\./);
    expect(app).toContain('| group `DbSg` | TCP | 5432 | Postgres to the database |');
    expect(app).not.toContain('255.255.255.255');
  });

  it("says CDK's placeholder rule lets nothing out, and a group with no outbound rule of its own gets EC2's allow-all", () => {
    const doc = renderNetworkDoc(smallNetwork({ OpenSg: group('Open') }));
    expect(groupSection(doc, 'DbSg')).toMatch(
      /\*\*Lets out \(egress\)\*\*\n\nNothing\. \(The group's one outbound rule is CDK's placeholder/,
    );
    expect(groupSection(doc, 'OpenSg')).toContain(
      "| any address | all | all | EC2's default rule: the group declares no outbound rule of its own |",
    );
  });

  it('writes CIDR, IPv6, prefix-list and self peers, port ranges, all traffic and ICMP', () => {
    const doc = renderNetworkDoc(
      smallNetwork({
        WideSg: group('Wide', {
          SecurityGroupIngress: [
            { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 },
            { CidrIpv6: '::/0', IpProtocol: '6', FromPort: 1024, ToPort: 65535 },
            { CidrIp: '192.168.0.0/16', IpProtocol: '-1' },
            { SourcePrefixListId: 'pl-1234abcd', IpProtocol: 'udp', FromPort: 53, ToPort: 53 },
            { CidrIp: '10.0.0.0/8', IpProtocol: 'icmp', FromPort: 8, ToPort: -1 },
            { SourceSecurityGroupId: groupId('WideSg'), IpProtocol: 'tcp', FromPort: 0, ToPort: 65535 },
          ],
          SecurityGroupEgress: [
            {
              DestinationPrefixListId: { 'Fn::GetAtt': ['Vpc', 'S3PrefixList'] },
              IpProtocol: 'tcp',
              FromPort: 443,
              ToPort: 443,
            },
          ],
        }),
      }),
    );
    const wide = groupSection(doc, 'WideSg');
    expect(wide).toContain('| any IPv4 address (`0.0.0.0/0`) | TCP | 443 |');
    expect(wide).toContain('| any IPv6 address (`::/0`) | TCP | 1024-65535 |');
    expect(wide).toContain('| `192.168.0.0/16` | all | all |');
    expect(wide).toContain('| prefix list `pl-1234abcd` | UDP | 53 |');
    expect(wide).toContain('| `10.0.0.0/8` | ICMP | type 8, all codes |');
    expect(wide).toContain('| itself (its own members) | TCP | all |');
    expect(wide).toContain('| prefix list `Vpc.S3PrefixList` | TCP | 443 |');
  });

  it('names who wears a group: a function and its subnets, mount targets, interface endpoints', () => {
    const doc = renderNetworkDoc(
      smallNetwork({
        MountA: {
          Type: 'AWS::EFS::MountTarget',
          Properties: {
            FileSystemId: ref('Files'),
            SecurityGroups: [groupId('DbSgBBBB2222')],
            SubnetId: ref('PrivateA'),
          },
        },
        MountB: {
          Type: 'AWS::EFS::MountTarget',
          Properties: {
            FileSystemId: ref('Files'),
            SecurityGroups: [groupId('DbSgBBBB2222')],
            SubnetId: ref('PrivateB'),
          },
        },
        Files: { Type: 'AWS::EFS::FileSystem', Properties: {} },
        SqsEndpoint: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: {
            VpcEndpointType: 'Interface',
            ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.sqs']] },
            SecurityGroupIds: [groupId('DbSgBBBB2222')],
            SubnetIds: [ref('PrivateB')],
          },
        },
      }),
    );
    expect(groupSection(doc, 'AppSg')).toContain(
      '- Lambda function `AppFunction`, in Private subnets (eu-west-1a, eu-west-1b)',
    );
    const db = groupSection(doc, 'DbSg');
    expect(db).toContain('- EFS mount targets of `Files`, in Private subnets (eu-west-1a, eu-west-1b)');
    expect(db).toContain('- interface endpoints `sqs`, in Private subnets (eu-west-1b)');
  });

  it('names the tasks that get a group at RunTask from the launching function’s environment', () => {
    const doc = renderNetworkDoc(
      smallNetwork({
        TaskSg: group('Tasks', { SecurityGroupEgress: [NO_EGRESS] }),
        Tasks: { Type: 'AWS::ECS::TaskDefinition', Properties: {} },
        Starter: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                [Env.TASK_DEFINITION_ARN]: ref('Tasks'),
                [Env.WORKER_SECURITY_GROUPS]: groupId('TaskSg'),
                [Env.WORKER_SUBNETS]: { 'Fn::Join': [',', [ref('PrivateA'), ref('PrivateB')]] },
              },
            },
          },
        },
      }),
    );
    expect(groupSection(doc, 'TaskSg')).toContain(
      '- ECS tasks of `Tasks`, in Private subnets (eu-west-1a, eu-west-1b): started by `Starter` with `RunTask`,',
    );
    expect(groupSection(doc, 'AppSg')).not.toContain('ECS tasks');
    // The starter itself is not in the VPC.
    expect(doc).toMatch(/## Functions outside the VPC\n\n[^#]*`Starter`/);
    expect(doc.slice(doc.indexOf('## Functions outside'))).not.toContain('`AppFunction`');
  });

  it('names an ECS service by its network configuration, and any other resource that attaches the group', () => {
    const doc = renderNetworkDoc(
      smallNetwork({
        ApiService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            NetworkConfiguration: {
              AwsvpcConfiguration: { SecurityGroups: [groupId('AppSgAAAA1111')], Subnets: [ref('PrivateA')] },
            },
          },
        },
        Database: {
          Type: 'AWS::RDS::DBInstance',
          Properties: { VPCSecurityGroups: [groupId('DbSgBBBB2222')] },
        },
      }),
    );
    expect(groupSection(doc, 'AppSg')).toContain(
      '- ECS service `ApiService`, in Private subnets (eu-west-1a)',
    );
    expect(groupSection(doc, 'DbSg')).toContain('- AWS::RDS::DBInstance `Database`');
    expect(groupSection(doc, 'AppSg')).not.toContain('Database');
  });

  it('says when nothing wears a group', () => {
    const doc = renderNetworkDoc(
      smallNetwork({ SpareSg: group('Spare', { SecurityGroupEgress: [NO_EGRESS] }) }),
    );
    expect(groupSection(doc, 'SpareSg')).toContain('**Worn by** nothing in the template.');
  });

  it('lists the routes out of each tier: internet gateway, NAT gateway in its zone, gateway endpoints, none', () => {
    const doc = renderNetworkDoc(
      smallNetwork({
        PublicA: subnet('Public', 'eu-west-1a', '10.0.0.0/24'),
        IsolatedA: subnet('Isolated', 'eu-west-1a', '10.0.9.0/24'),
        PublicTable: { Type: 'AWS::EC2::RouteTable', Properties: {} },
        PrivateTableA: { Type: 'AWS::EC2::RouteTable', Properties: {} },
        PrivateTableB: { Type: 'AWS::EC2::RouteTable', Properties: {} },
        IsolatedTable: { Type: 'AWS::EC2::RouteTable', Properties: {} },
        PublicAssoc: association('PublicA', 'PublicTable'),
        PrivateAssocA: association('PrivateA', 'PrivateTableA'),
        PrivateAssocB: association('PrivateB', 'PrivateTableB'),
        IsolatedAssoc: association('IsolatedA', 'IsolatedTable'),
        Igw: { Type: 'AWS::EC2::InternetGateway', Properties: {} },
        Nat: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: ref('PublicA') } },
        PublicDefault: {
          Type: 'AWS::EC2::Route',
          Properties: {
            RouteTableId: ref('PublicTable'),
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: ref('Igw'),
          },
        },
        PrivateDefault: {
          Type: 'AWS::EC2::Route',
          Properties: {
            RouteTableId: ref('PrivateTableA'),
            DestinationCidrBlock: '0.0.0.0/0',
            NatGatewayId: ref('Nat'),
          },
        },
        S3: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: {
            VpcEndpointType: 'Gateway',
            ServiceName: 'com.amazonaws.eu-west-1.s3',
            RouteTableIds: [ref('PrivateTableA'), ref('PrivateTableB')],
          },
        },
      }),
    );
    expect(tierSection(doc, 'Public')).toContain(
      '| any IPv4 address (`0.0.0.0/0`) | internet gateway `Igw` | every zone |',
    );
    const priv = tierSection(doc, 'Private');
    expect(priv).toContain('To the internet through NAT gateway `Nat` (in Public, eu-west-1a).');
    expect(priv).toContain(
      '| any IPv4 address (`0.0.0.0/0`) | NAT gateway `Nat` (in Public, eu-west-1a) | eu-west-1a |',
    );
    expect(priv).toContain('| the `s3` prefix list | gateway endpoint `S3` | every zone |');
    const isolated = tierSection(doc, 'Isolated');
    expect(isolated).toContain('No route to the internet.');
    expect(isolated).toContain('No route leaves this tier: it reaches only the VPC itself.');
    expect(doc).toContain("the local route for the VPC's own addresses (`10.0.0.0/16`)");
  });

  it('names the interface endpoints placed in a tier', () => {
    const doc = renderNetworkDoc(
      smallNetwork({
        Logs: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: {
            VpcEndpointType: 'Interface',
            ServiceName: 'com.amazonaws.eu-west-1.logs',
            SubnetIds: [ref('PrivateA')],
          },
        },
      }),
    );
    expect(tierSection(doc, 'Private')).toContain(
      'Interface endpoints placed here (reached from every tier by the local route): `logs`.',
    );
  });

  it("says whether the VPC's default group keeps its rules", () => {
    const section = (doc: string) => doc.slice(doc.indexOf("### The VPC's default security group"));
    expect(section(renderNetworkDoc(smallNetwork()))).toContain("keeps EC2's default rules");
    const restricted = renderNetworkDoc(
      smallNetwork({ Restrict: { Type: 'Custom::VpcRestrictDefaultSG', Properties: {} } }),
    );
    expect(section(restricted)).toContain('Its rules are removed at deploy time');
  });

  it('keeps full logical ids where dropping the hash would make two names one', () => {
    const doc = renderNetworkDoc({
      Resources: {
        SgAAAA1111: group('first', { SecurityGroupEgress: [NO_EGRESS] }),
        SgBBBB2222: group('second', { SecurityGroupEgress: [NO_EGRESS] }),
      },
    });
    expect(doc).toContain('### `SgAAAA1111`');
    expect(doc).toContain('### `SgBBBB2222`');
  });
});
