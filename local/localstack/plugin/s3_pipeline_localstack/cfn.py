"""CloudFormation resource providers for the types of the stack that LocalStack's free tier lacks.

Without a provider, LocalStack deploys a resource as a hollow placeholder whose attributes read
``unknown``: a dispatcher told to run tasks in cluster ``unknown`` could never start one. These
providers create each resource through LocalStack's own clients, in the emulated APIs (ECS and
EFS from moto, ``services.py``; EC2, CloudWatch and Lambda from LocalStack), so references and
attributes in the template resolve to real (emulated) identifiers, as on AWS. Custom resources
(``custom_resource.py``) invoke their Lambda function as CloudFormation does.
"""

from __future__ import annotations

from typing import Any

from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

Properties = dict[str, Any]

# CloudFormation names whose ECS API spelling is not the name with a lower-case first letter.
_ECS_NAMES = {"EFSVolumeConfiguration": "efsVolumeConfiguration", "FilesystemId": "fileSystemId", "IAM": "iam"}
# Maps whose keys are data, not property names.
_ECS_FREE_FORM = {"Options", "DockerLabels"}


def ecs_params(value: Any) -> Any:
    """A CloudFormation ECS property tree in the ECS API's camelCase."""
    if isinstance(value, list):
        return [ecs_params(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        name = _ECS_NAMES.get(key, key[:1].lower() + key[1:])
        out[name] = v if key in _ECS_FREE_FORM else ecs_params(v)
    return out


def _tags(tags: list[dict] | None, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: t["Key"], value: t["Value"]} for t in tags or []]


def _schema(type_name: str, identifier: str, read_only: list[str]) -> dict:
    return {
        "typeName": type_name,
        "primaryIdentifier": [f"/properties/{identifier}"],
        "readOnlyProperties": [f"/properties/{p}" for p in read_only],
        "createOnlyProperties": [],
        "properties": {},
    }


def _done(model: Properties) -> ProgressEvent[Properties]:
    return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)


def _name(request: ResourceRequest, limit: int = 255) -> str:
    return f"{request.stack_name}-{request.logical_resource_id}"[:limit]


class _KeepsIdentity(ResourceProvider[Properties]):
    """A resource whose update changes nothing in the emulator: the new properties are recorded,
    and what identifies it (its primary identifier and read-only properties) is kept."""

    def update(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        kept = [p.removeprefix("/properties/") for p in self.SCHEMA["primaryIdentifier"] + self.SCHEMA["readOnlyProperties"]]
        previous = request.previous_state
        return _done({**previous, **request.desired_state, **{k: previous[k] for k in kept if k in previous}})


class EcsClusterProvider(_KeepsIdentity):
    TYPE = "AWS::ECS::Cluster"
    SCHEMA = _schema(TYPE, "ClusterName", ["Arn"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        model.setdefault("ClusterName", _name(request))
        ecs = request.aws_client_factory.ecs
        params = {"clusterName": model["ClusterName"], "tags": _tags(model.get("Tags"), "key", "value")}
        if model.get("ClusterSettings"):
            params["settings"] = ecs_params(model["ClusterSettings"])
        cluster = ecs.create_cluster(**params)["cluster"]
        model["Arn"] = cluster["clusterArn"]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.ecs.delete_cluster(cluster=request.previous_state["ClusterName"])
        return _done({})


class EcsTaskDefinitionProvider(ResourceProvider[Properties]):
    TYPE = "AWS::ECS::TaskDefinition"
    SCHEMA = _schema(TYPE, "TaskDefinitionArn", ["TaskDefinitionArn"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        params = ecs_params({k: v for k, v in model.items() if k not in ("Tags", "TaskDefinitionArn")})
        params.setdefault("family", _name(request))
        # moto adds up container memory to place even a Fargate task, where AWS needs none: a
        # container without any is given its share of the task's.
        containers = params.get("containerDefinitions", [])
        for container in containers:
            if "memory" not in container and "memoryReservation" not in container and params.get("memory"):
                container["memoryReservation"] = int(params["memory"]) // len(containers)
        if model.get("Tags"):
            params["tags"] = _tags(model["Tags"], "key", "value")
        registered = request.aws_client_factory.ecs.register_task_definition(**params)
        model["TaskDefinitionArn"] = registered["taskDefinition"]["taskDefinitionArn"]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.ecs.deregister_task_definition(
            taskDefinition=request.previous_state["TaskDefinitionArn"]
        )
        return _done({})

    def update(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        # Every change to a task definition registers a new revision, as on AWS.
        return self.create(request)


class EfsFileSystemProvider(_KeepsIdentity):
    TYPE = "AWS::EFS::FileSystem"
    SCHEMA = _schema(TYPE, "FileSystemId", ["FileSystemId", "Arn"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        params = {
            "CreationToken": request.request_token or _name(request, 64),
            "Encrypted": bool(model.get("Encrypted", False)),
            "Tags": _tags(model.get("FileSystemTags")),
        }
        for key in ("PerformanceMode", "ThroughputMode", "KmsKeyId"):
            if model.get(key):
                params[key] = model[key]
        created = request.aws_client_factory.efs.create_file_system(**params)
        model["FileSystemId"] = created["FileSystemId"]
        model["Arn"] = created["FileSystemArn"]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.efs.delete_file_system(FileSystemId=request.previous_state["FileSystemId"])
        return _done({})



class EfsMountTargetProvider(_KeepsIdentity):
    TYPE = "AWS::EFS::MountTarget"
    SCHEMA = _schema(TYPE, "Id", ["Id", "IpAddress"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        params = {k: model[k] for k in ("FileSystemId", "SubnetId", "SecurityGroups", "IpAddress") if model.get(k)}
        created = request.aws_client_factory.efs.create_mount_target(**params)
        model["Id"] = created["MountTargetId"]
        model["IpAddress"] = created.get("IpAddress", "")
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.efs.delete_mount_target(MountTargetId=request.previous_state["Id"])
        return _done({})



class EfsAccessPointProvider(_KeepsIdentity):
    TYPE = "AWS::EFS::AccessPoint"
    SCHEMA = _schema(TYPE, "AccessPointId", ["AccessPointId", "Arn"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        params: dict[str, Any] = {
            "ClientToken": request.request_token or _name(request, 64),
            "FileSystemId": model["FileSystemId"],
            "Tags": _tags(model.get("AccessPointTags")),
        }
        if user := model.get("PosixUser"):
            params["PosixUser"] = {k: int(v) if k in ("Uid", "Gid") else [int(g) for g in v] for k, v in user.items()}
        if root := model.get("RootDirectory"):
            params["RootDirectory"] = {"Path": root.get("Path", "/")}
            if info := root.get("CreationInfo"):
                params["RootDirectory"]["CreationInfo"] = {
                    "OwnerUid": int(info["OwnerUid"]),
                    "OwnerGid": int(info["OwnerGid"]),
                    "Permissions": str(info["Permissions"]),
                }
        created = request.aws_client_factory.efs.create_access_point(**params)
        model["AccessPointId"] = created["AccessPointId"]
        model["Arn"] = created["AccessPointArn"]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.efs.delete_access_point(AccessPointId=request.previous_state["AccessPointId"])
        return _done({})



class SecurityGroupIngressProvider(ResourceProvider[Properties]):
    TYPE = "AWS::EC2::SecurityGroupIngress"
    SCHEMA = _schema(TYPE, "Id", ["Id"])
    direction = "ingress"
    peer = "SourceSecurityGroupId"

    def _permission(self, model: Properties) -> dict:
        permission: dict[str, Any] = {"IpProtocol": str(model["IpProtocol"])}
        for key in ("FromPort", "ToPort"):
            if key in model:
                permission[key] = int(model[key])
        if model.get(self.peer):
            permission["UserIdGroupPairs"] = [{"GroupId": model[self.peer]}]
        if model.get("CidrIp"):
            permission["IpRanges"] = [{"CidrIp": model["CidrIp"], "Description": model.get("Description", "")}]
        if model.get("CidrIpv6"):
            permission["Ipv6Ranges"] = [{"CidrIpv6": model["CidrIpv6"], "Description": model.get("Description", "")}]
        return permission

    def _call(self, request: ResourceRequest[Properties], verb: str, model: Properties) -> None:
        ec2 = request.aws_client_factory.ec2
        getattr(ec2, f"{verb}_security_group_{self.direction}")(
            GroupId=model["GroupId"], IpPermissions=[self._permission(model)]
        )

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        self._call(request, "authorize", model)
        model["Id"] = _name(request)
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        self._call(request, "revoke", request.previous_state)
        return _done({})

    def update(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        self._call(request, "revoke", request.previous_state)
        return self.create(request)


class SecurityGroupEgressProvider(SecurityGroupIngressProvider):
    TYPE = "AWS::EC2::SecurityGroupEgress"
    SCHEMA = _schema(TYPE, "Id", ["Id"])
    direction = "egress"
    peer = "DestinationSecurityGroupId"


class FlowLogProvider(ResourceProvider[Properties]):
    TYPE = "AWS::EC2::FlowLog"
    SCHEMA = _schema(TYPE, "Id", ["Id"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        params = {"ResourceIds": [model["ResourceId"]], "ResourceType": model["ResourceType"]}
        for key in ("TrafficType", "LogDestinationType", "LogDestination", "LogGroupName", "DeliverLogsPermissionArn"):
            if model.get(key):
                params[key] = model[key]
        created = request.aws_client_factory.ec2.create_flow_logs(**params)
        if created.get("Unsuccessful"):
            return ProgressEvent(status=OperationStatus.FAILED, resource_model={}, message=str(created["Unsuccessful"]))
        model["Id"] = created["FlowLogIds"][0]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.ec2.delete_flow_logs(FlowLogIds=[request.previous_state["Id"]])
        return _done({})


class DashboardProvider(ResourceProvider[Properties]):
    TYPE = "AWS::CloudWatch::Dashboard"
    SCHEMA = _schema(TYPE, "DashboardName", [])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        model.setdefault("DashboardName", _name(request))
        request.aws_client_factory.cloudwatch.put_dashboard(
            DashboardName=model["DashboardName"], DashboardBody=model["DashboardBody"]
        )
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.cloudwatch.delete_dashboards(DashboardNames=[request.previous_state["DashboardName"]])
        return _done({})

    def update(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.desired_state["DashboardName"] = request.previous_state["DashboardName"]
        return self.create(request)


class GlueDatabaseProvider(_KeepsIdentity):
    TYPE = "AWS::Glue::Database"
    SCHEMA = _schema(TYPE, "DatabaseName", ["DatabaseName"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        database = {**model["DatabaseInput"]}
        database.setdefault("Name", _name(request).lower())
        request.aws_client_factory.glue.create_database(CatalogId=model["CatalogId"], DatabaseInput=database)
        model["DatabaseName"] = database["Name"]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        previous = request.previous_state
        request.aws_client_factory.glue.delete_database(CatalogId=previous["CatalogId"], Name=previous["DatabaseName"])
        return _done({})


class GlueTableProvider(_KeepsIdentity):
    TYPE = "AWS::Glue::Table"
    SCHEMA = _schema(TYPE, "Id", ["Id"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        table = {**model["TableInput"]}
        table.setdefault("Name", _name(request).lower())
        request.aws_client_factory.glue.create_table(
            CatalogId=model["CatalogId"], DatabaseName=model["DatabaseName"], TableInput=table
        )
        # CloudFormation's Ref of a table is its name.
        model["Id"] = table["Name"]
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        previous = request.previous_state
        request.aws_client_factory.glue.delete_table(
            CatalogId=previous["CatalogId"], DatabaseName=previous["DatabaseName"], Name=previous["Id"]
        )
        return _done({})


class AthenaWorkGroupProvider(_KeepsIdentity):
    TYPE = "AWS::Athena::WorkGroup"
    SCHEMA = _schema(TYPE, "Name", ["CreationTime"])

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        model = request.desired_state
        params: dict[str, Any] = {"Name": model["Name"], "Tags": _tags(model.get("Tags"))}
        if model.get("Description"):
            params["Description"] = model["Description"]
        if configuration := model.get("WorkGroupConfiguration"):
            # The API's spelling of the property; the nested names are the same.
            params["Configuration"] = configuration
        request.aws_client_factory.athena.create_work_group(**params)
        model["CreationTime"] = ""
        return _done(model)

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        request.aws_client_factory.athena.delete_work_group(
            WorkGroup=request.previous_state["Name"], RecursiveDeleteOption=True
        )
        return _done({})
