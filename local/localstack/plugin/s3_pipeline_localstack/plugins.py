"""The plux plugin classes LocalStack loads (entry points in pyproject.toml). Each defers its
import until LocalStack asks for it, as LocalStack's own plugins do."""

from localstack.services.cloudformation.resource_provider import CloudFormationResourceProviderPlugin
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class ProcessExecutorPlugin(RuntimeExecutorPlugin):
    name = "process"

    def load(self, *args, **kwargs):
        from s3_pipeline_localstack.executor import ProcessRuntimeExecutor

        return ProcessRuntimeExecutor


def _resource_provider_plugin(
    type_name: str, class_name: str, module: str = "cfn"
) -> type[CloudFormationResourceProviderPlugin]:
    class Plugin(CloudFormationResourceProviderPlugin):
        name = type_name

        def __init__(self):
            self.factory = None

        def load(self):
            from importlib import import_module

            self.factory = getattr(import_module(f"s3_pipeline_localstack.{module}"), class_name)

    Plugin.__name__ = Plugin.__qualname__ = f"{class_name}Plugin"
    return Plugin


EcsClusterProviderPlugin = _resource_provider_plugin("AWS::ECS::Cluster", "EcsClusterProvider")
EcsTaskDefinitionProviderPlugin = _resource_provider_plugin("AWS::ECS::TaskDefinition", "EcsTaskDefinitionProvider")
EfsFileSystemProviderPlugin = _resource_provider_plugin("AWS::EFS::FileSystem", "EfsFileSystemProvider")
EfsMountTargetProviderPlugin = _resource_provider_plugin("AWS::EFS::MountTarget", "EfsMountTargetProvider")
EfsAccessPointProviderPlugin = _resource_provider_plugin("AWS::EFS::AccessPoint", "EfsAccessPointProvider")
SecurityGroupIngressProviderPlugin = _resource_provider_plugin(
    "AWS::EC2::SecurityGroupIngress", "SecurityGroupIngressProvider"
)
SecurityGroupEgressProviderPlugin = _resource_provider_plugin("AWS::EC2::SecurityGroupEgress", "SecurityGroupEgressProvider")
FlowLogProviderPlugin = _resource_provider_plugin("AWS::EC2::FlowLog", "FlowLogProvider")
DashboardProviderPlugin = _resource_provider_plugin("AWS::CloudWatch::Dashboard", "DashboardProvider")
GlueDatabaseProviderPlugin = _resource_provider_plugin("AWS::Glue::Database", "GlueDatabaseProvider")
GlueTableProviderPlugin = _resource_provider_plugin("AWS::Glue::Table", "GlueTableProvider")
AthenaWorkGroupProviderPlugin = _resource_provider_plugin("AWS::Athena::WorkGroup", "AthenaWorkGroupProvider")
CustomResourceProviderPlugin = _resource_provider_plugin(
    "AWS::CloudFormation::CustomResource", "CustomResourceProvider", module="custom_resource"
)
