"""AWS APIs served entirely by the moto that LocalStack embeds.

LocalStack's community build has no ECS, EFS, Glue or Athena API (HTTP 501), and its DynamoDB runs
a vendor jar that is neither reachable here nor open source. moto implements all five; these providers hand
every operation of the API to it, as LocalStack does for its own moto-backed services.
"""

from localstack.aws.spec import load_service
from localstack.services.moto import call_moto
from localstack.services.plugins import Service, aws_provider


class MotoProvider:
    """A provider with no operations of its own: the dispatch table sends each one to moto."""

    def __init__(self, service: str):
        self.service = service


def _moto_service(name: str) -> Service:
    def forward(context, _request):
        return call_moto(context)

    table = {operation: forward for operation in load_service(name).operation_names}
    return Service.for_provider(MotoProvider(name), dispatch_table_factory=lambda _p: table)


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto():
    return _moto_service("dynamodb")


@aws_provider(api="ecs", name="moto")
def ecs_moto():
    return _moto_service("ecs")


@aws_provider(api="efs", name="moto")
def efs_moto():
    return _moto_service("efs")


@aws_provider(api="glue", name="moto")
def glue_moto():
    return _moto_service("glue")


@aws_provider(api="athena", name="moto")
def athena_moto():
    return _moto_service("athena")
