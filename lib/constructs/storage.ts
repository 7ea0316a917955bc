import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct, type IConstruct } from 'constructs';
import {
  Env,
  INCOMING_PREFIX,
  RECONCILE_CURSOR_KEY,
  RESULTS_PREFIX,
  SHARED_MOUNT_PATH,
} from '../../contract/names.js';
import type { EnvConsumer } from './binding.js';
import { acknowledgeFinding, acknowledgePolicyFinding, MANAGED_POLICY_FINDING, nagResource } from './nag.js';
import { acknowledgeCdkHandler, acknowledgeCheckov, CDK_HANDLER_ID } from './scanners.js';
import { checkWholeNumber, PropValidationError } from './validation.js';
import { ARCHIVE_STORAGE_CLASSES, DEFAULTS, type ArchiveStorageClass } from '../config.js';

export interface DataBucketReadOptions {
  /**
   * Ranged GETs a job keeps in flight when it reads a plain FASTQ of 8 MiB or more, one per
   * slice from 16 MiB (`s3ReadConcurrency` in lib/config.ts); one S3 connection delivers far less
   * than the job core parses.
   * @default 4
   */
  readonly readConcurrency?: number;
  /**
   * Seconds a job's read of its input may go without a byte before the attempt fails as
   * `INPUT_STALLED` and is run again (`INPUT_STALL_SECONDS`).
   * @default 120
   */
  readonly inputStallSeconds?: number;
}

export interface DataBucketProps extends DataBucketReadOptions {
  /**
   * What happens to both buckets when the stack is deleted. `DESTROY` also empties them first.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Days a replaced or deleted version of an object is kept.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days server access logs are kept.
   * @default 90
   */
  readonly accessLogExpirationDays?: number;
  /**
   * Storage class uploads under `incoming/` move to after `archiveAfterDays`, or `'none'` to
   * keep them in STANDARD; results stay in STANDARD. GLACIER and DEEP_ARCHIVE must be restored
   * before a job can read them (their jobs fail as `INPUT_ARCHIVED` until then).
   * @default 'GLACIER_IR'
   */
  readonly archiveStorageClass?: ArchiveStorageClass | 'none';
  /**
   * Days after upload when an input moves to `archiveStorageClass`.
   * @default 30
   */
  readonly archiveAfterDays?: number;
}

/**
 * The bucket jobs read uploads from (`incoming/`) and write reports to (`results/`), as the
 * dispatcher and the worker use it. `DataBucket` creates one; `DataBucket.fromBucket` wraps a
 * bucket of your own.
 */
export interface IDataBucket extends IConstruct {
  readonly bucket: s3.IBucket;
  /** Lets the consumer read uploads under `incoming/` and sets how many ranged GETs it keeps in flight and how long a read may stall. */
  bindIncomingReader(consumer: EnvConsumer): iam.Grant;
  /** Lets the grantee write reports under `results/` and read the current one. */
  grantWriteResults(grantee: iam.IGrantable): iam.Grant;
  /** Lets the consumer list the object versions under `incoming/` and tells it the bucket's name. */
  bindIncomingLister(consumer: EnvConsumer): iam.Grant;
  /** Lets the grantee read and write the reconciler's cursor object, and no other. */
  grantReconcileCursor(grantee: iam.IGrantable): iam.Grant;
  /**
   * Invokes `fn` for every object created under `incoming/`, and for every restore of an archived
   * one that completes there.
   */
  notifyOnIncoming(fn: lambda.IFunction): void;
}

/** The grants and the notification, for a bucket created here or brought in. */
abstract class DataBucketBase extends Construct implements IDataBucket {
  abstract readonly bucket: s3.IBucket;
  private readonly readConcurrency: number;
  private readonly inputStallSeconds: number;

  constructor(scope: Construct, id: string, options: DataBucketReadOptions) {
    super(scope, id);
    this.readConcurrency = checkWholeNumber(
      this,
      'readConcurrency',
      options.readConcurrency ?? DEFAULTS.s3ReadConcurrency,
      1,
      32,
    );
    this.inputStallSeconds = checkWholeNumber(
      this,
      'inputStallSeconds',
      options.inputStallSeconds ?? DEFAULTS.inputStallSeconds,
      5,
      3600,
    );
  }

  /**
   * Lets the consumer read uploads (any version) under `incoming/`, nothing else in the bucket,
   * and tells it how many ranged GETs to keep in flight and how long a read may stall. A bucket under a customer managed key
   * also lets it decrypt with the key.
   */
  bindIncomingReader(consumer: EnvConsumer): iam.Grant {
    consumer.addEnvironment(Env.S3_READ_CONCURRENCY, String(this.readConcurrency));
    consumer.addEnvironment(Env.INPUT_STALL_SECONDS, String(this.inputStallSeconds));
    // HeadObject is authorised by GetObject / GetObjectVersion.
    return this.grantPrefix(
      consumer,
      INCOMING_PREFIX,
      ['s3:GetObject', 's3:GetObjectVersion'],
      `Uploads have arbitrary keys: read access covers the ${INCOMING_PREFIX} prefix of the data bucket and nothing else.`,
      (key) => key.grantDecrypt(consumer),
    );
  }

  /**
   * Lets the grantee write reports under `results/` and read the current one; it cannot delete
   * them. A bucket under a customer managed key also lets it encrypt and decrypt with the key.
   */
  grantWriteResults(grantee: iam.IGrantable): iam.Grant {
    // Results are written conditionally on the current one (HeadObject needs GetObject), so an
    // older input version's job never overwrites a newer version's result.
    return this.grantPrefix(
      grantee,
      RESULTS_PREFIX,
      ['s3:PutObject', 's3:GetObject'],
      `Reports mirror the upload keys: read and write access covers the ${RESULTS_PREFIX} prefix of the data bucket and nothing else.`,
      (key) => key.grantEncryptDecrypt(grantee),
    );
  }

  /**
   * Lets the consumer list the object versions under `incoming/` (`ListObjectVersions` with that
   * prefix; nothing else in the bucket, no object reads) and sets `DATA_BUCKET`. Listing needs no
   * key grant: it returns keys and sizes, not contents.
   */
  bindIncomingLister(consumer: EnvConsumer): iam.Grant {
    consumer.addEnvironment(Env.DATA_BUCKET, this.bucket.bucketName);
    return iam.Grant.addToPrincipal({
      grantee: consumer,
      actions: ['s3:ListBucketVersions'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${INCOMING_PREFIX}*` } },
    });
  }

  /**
   * Lets the grantee read and write `RECONCILE_CURSOR_KEY` (one object, so no wildcard); a bucket
   * under a customer managed key also lets it encrypt and decrypt with the key.
   */
  grantReconcileCursor(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(RECONCILE_CURSOR_KEY)],
    });
    const key = this.bucket.encryptionKey;
    return key ? grant.combine(key.grantEncryptDecrypt(grantee)) : grant;
  }

  /**
   * `actions` on the objects under `prefix`, with the cdk-nag acknowledgement of the prefix
   * wildcard and, for a bucket under a customer managed key, the key grant.
   */
  private grantPrefix(
    grantee: iam.IGrantable,
    prefix: string,
    actions: string[],
    reason: string,
    grantKey: (key: kms.IKey) => iam.Grant,
  ): iam.Grant {
    const objects = this.bucket.arnForObjects(`${prefix}*`);
    const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [objects] });
    acknowledgePolicyFinding(grantee, `AwsSolutions-IAM5[Resource::${nagResource(this, objects)}]`, reason);
    const key = this.bucket.encryptionKey;
    return key ? grant.combine(grantKey(key)) : grant;
  }

  /**
   * Invokes `fn` for every object created under `incoming/`, and for every completed restore
   * there (it resumes a job that failed because its input was archived). Only that prefix is
   * subscribed, so the reports written under `results/` can never trigger another run.
   */
  notifyOnIncoming(fn: lambda.IFunction): void {
    for (const event of [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_RESTORE_COMPLETED]) {
      this.bucket.addEventNotification(event, new s3n.LambdaDestination(fn), { prefix: INCOMING_PREFIX });
    }
    acknowledgeNotificationsHandler(Stack.of(this));
  }
}

/**
 * The data bucket (uploads under `incoming/`, reports under `results/`) and the bucket receiving
 * its server access logs. Private, encrypted, TLS only, versioned.
 */
export class DataBucket extends DataBucketBase {
  /**
   * A bucket of your own as the data bucket. Its encryption, versioning, logging and lifecycle
   * stay as they are; the grants and the notification are the same as for a `DataBucket`.
   */
  static fromBucket(
    scope: Construct,
    id: string,
    bucket: s3.IBucket,
    options: DataBucketReadOptions = {},
  ): IDataBucket {
    class Import extends DataBucketBase {
      readonly bucket = bucket;
    }
    return new Import(scope, id, options);
  }

  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketProps = {}) {
    super(scope, id, props);
    const noncurrentDays = checkWholeNumber(
      this,
      'noncurrentVersionExpirationDays',
      props.noncurrentVersionExpirationDays ?? 30,
      1,
    );
    const accessLogDays = checkWholeNumber(
      this,
      'accessLogExpirationDays',
      props.accessLogExpirationDays ?? 90,
      1,
    );
    const archive = archiveRule(this, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const autoDeleteObjects = removalPolicy === RemovalPolicy.DESTROY;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(accessLogDays) }],
      removalPolicy,
      autoDeleteObjects,
    });
    acknowledgeCheckov(
      this.accessLogsBucket,
      'CKV_AWS_18',
      'This is the access-log bucket itself: logging it would need another bucket, whose own logs would need one more.',
    );
    acknowledgeCheckov(
      this.accessLogsBucket,
      'CKV_AWS_21',
      'Only the S3 logging service writes here, each log under a new key, and no runtime role may touch the bucket; a principal allowed to delete logs may delete their versions too, so versioning would only keep logs past their expiry.',
    );

    this.bucket = new s3.Bucket(this, 'Resource', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(noncurrentDays),
          expiredObjectDeleteMarker: true,
        },
        // Large uploads are multipart; an abandoned one is billed until it is aborted.
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...archive,
      ],
      removalPolicy,
      autoDeleteObjects,
    });
    if (autoDeleteObjects) {
      acknowledgeCdkHandler(
        Stack.of(this),
        CDK_HANDLER_ID.AUTO_DELETE_OBJECTS,
        'Empties the buckets when the stack is deleted (removalPolicy destroy only)',
      );
    }
  }
}

/** The storage classes of `archiveStorageClass`, as CDK names them. */
const STORAGE_CLASS: Record<ArchiveStorageClass, s3.StorageClass> = {
  INTELLIGENT_TIERING: s3.StorageClass.INTELLIGENT_TIERING,
  GLACIER_IR: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
  GLACIER: s3.StorageClass.GLACIER,
  DEEP_ARCHIVE: s3.StorageClass.DEEP_ARCHIVE,
};

/**
 * The rule that moves uploads (current versions under `incoming/` only) to the archive class;
 * none when archiving is off.
 */
function archiveRule(scope: Construct, props: DataBucketProps): s3.LifecycleRule[] {
  const storageClass = props.archiveStorageClass ?? DEFAULTS.archiveStorageClass;
  if (storageClass === 'none') return [];
  if (!(ARCHIVE_STORAGE_CLASSES as readonly string[]).includes(storageClass)) {
    const allowed = [...ARCHIVE_STORAGE_CLASSES, 'none'].map((c) => `'${c}'`).join(', ');
    throw new PropValidationError('archiveStorageClass', storageClass, `one of ${allowed}`, scope);
  }
  const days = checkWholeNumber(
    scope,
    'archiveAfterDays',
    props.archiveAfterDays ?? DEFAULTS.archiveAfterDays,
    1,
  );
  return [
    {
      id: 'archive-inputs',
      prefix: INCOMING_PREFIX,
      transitions: [{ storageClass: STORAGE_CLASS[storageClass], transitionAfter: Duration.days(days) }],
    },
  ];
}

export interface SharedFileSystemProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the mount targets: one per AZ. */
  readonly subnets: ec2.SubnetSelection;
  /** Security group of the mount targets (NFS from the compute groups only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * What happens to the file system when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Directory of the access point; created on first use, owned by `posixUser`.
   * @default '/shared'
   */
  readonly path?: string;
  /**
   * POSIX user and group every client acts as through the access point (the image's `node` user).
   * @default { uid: '1000', gid: '1000' }
   */
  readonly posixUser?: efs.PosixUser;
}

/**
 * The file system the dispatcher and the worker tasks share, as they use it: mounted through one
 * access point. `SharedFileSystem` creates one; `SharedFileSystem.fromAccessPoint` wraps an access
 * point of your own.
 */
export interface ISharedFileSystem extends IConstruct {
  readonly fileSystem: efs.IFileSystem;
  /** Every client mounts through this access point, never the file system's root. */
  readonly accessPoint: efs.IAccessPoint;
  /** Lets the consumer mount and write through the access point and tells it the mount path. */
  bindClient(consumer: EnvConsumer): iam.Grant;
}

/** The client grant, for a file system created here or brought in. */
abstract class SharedFileSystemBase extends Construct implements ISharedFileSystem {
  abstract readonly fileSystem: efs.IFileSystem;
  abstract readonly accessPoint: efs.IAccessPoint;

  /**
   * Lets the consumer mount and write through the access point (and only through it) and tells
   * it where the share is mounted. The mount itself is set where the consumer is defined
   * (Lambda `filesystem`, task definition volume).
   */
  bindClient(consumer: EnvConsumer): iam.Grant {
    consumer.addEnvironment(Env.SHARED_MOUNT_PATH, SHARED_MOUNT_PATH);
    return iam.Grant.addToPrincipal({
      grantee: consumer,
      actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      resourceArns: [this.fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn } },
    });
  }
}

/**
 * The EFS file system shared by the dispatcher and the worker tasks: encrypted at rest, elastic
 * throughput, a mount target in every AZ, one access point with a fixed POSIX identity, and a
 * file system policy that refuses clients without TLS and clients without IAM identity.
 */
export class SharedFileSystem extends SharedFileSystemBase {
  /**
   * An access point of your own as the share, on the file system it belongs to: import it with
   * `efs.AccessPoint.fromAccessPointAttributes` and its `fileSystem`, which the Lambda mount
   * needs. Its POSIX identity and the file system's policy stay as they are.
   */
  static fromAccessPoint(scope: Construct, id: string, accessPoint: efs.IAccessPoint): ISharedFileSystem {
    class Import extends SharedFileSystemBase {
      readonly accessPoint = accessPoint;
      readonly fileSystem = accessPoint.fileSystem;
    }
    return new Import(scope, id);
  }

  readonly fileSystem: efs.FileSystem;
  readonly accessPoint: efs.AccessPoint;

  constructor(scope: Construct, id: string, props: SharedFileSystemProps) {
    super(scope, id);
    const posixUser = props.posixUser ?? { uid: '1000', gid: '1000' };
    const path = props.path ?? '/shared';
    if (!Token.isUnresolved(path) && !path.startsWith('/')) {
      throw new PropValidationError('path', path, "an absolute path such as '/shared'", this);
    }

    this.fileSystem = new efs.FileSystem(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroup: props.securityGroup,
      encrypted: true,
      throughputMode: efs.ThroughputMode.ELASTIC,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Adds the statement that grants access only to IAM-authenticated clients through a mount
      // target: anonymous NFS clients get nothing.
      allowAnonymousAccess: false,
    });
    this.fileSystem.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUnencryptedTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: EFS_CLIENT_ACTIONS,
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // The access point fixes every client's POSIX identity, so no one needs root on the share.
    this.fileSystem.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyRootAccess',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['elasticfilesystem:ClientRootAccess'],
      }),
    );

    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path,
      posixUser,
      createAcl: { ownerUid: posixUser.uid, ownerGid: posixUser.gid, permissions: '750' },
    });
  }
}

/** Every NFS client action (the file system policy applies to these). */
const EFS_CLIENT_ACTIONS = [
  'elasticfilesystem:ClientMount',
  'elasticfilesystem:ClientWrite',
  'elasticfilesystem:ClientRootAccess',
];

function acknowledgeNotificationsHandler(stack: Stack): void {
  acknowledgeCdkHandler(
    stack,
    CDK_HANDLER_ID.BUCKET_NOTIFICATIONS,
    'Writes the notification configuration of the data bucket',
  );
  // CDK's bucket-notifications handler is a stack singleton whose id starts with this.
  const handlers = stack.node.children.filter((c) =>
    c.node.id.startsWith(CDK_HANDLER_ID.BUCKET_NOTIFICATIONS),
  );
  for (const handler of handlers) {
    const role = handler.node.tryFindChild('Role');
    if (!role) continue;
    acknowledgeFinding(
      role,
      MANAGED_POLICY_FINDING.LAMBDA_BASIC,
      'CDK bucket-notifications handler (runs at deploy time only): the AWS managed policy lets it write its own logs and nothing else.',
    );
  }
}
