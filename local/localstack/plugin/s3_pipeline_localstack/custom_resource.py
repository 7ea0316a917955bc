"""Lambda-backed custom resources (``Custom::*``), as CloudFormation runs them.

LocalStack's community build has no provider for them, so CDK's own (``Custom::S3BucketNotifications``,
``Custom::S3AutoDeleteObjects``, ``Custom::VpcRestrictDefaultSG``) would be skipped and, with them,
the bucket's notification to the dispatcher. This provider does what CloudFormation does: it
invokes the ``ServiceToken`` function asynchronously with a request that carries a ``ResponseURL``,
then waits for the function to ``PUT`` its answer there (a route on LocalStack's gateway), and
reports ``SUCCESS`` or ``FAILED`` with the function's reason. ``Data`` becomes the resource's
attributes (``Fn::GetAtt``).
"""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import Future
from typing import Any

from localstack import config
from localstack.http import Request, Response, route
from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)
from localstack.services.edge import ROUTER

Properties = dict[str, Any]

RESPONSE_PATH = "/_pipeline/cloudformation-responses"
# As long as CloudFormation gives a custom resource before it fails it (one hour), bounded for a local run.
RESPONSE_TIMEOUT_S = 600


class Responses:
    """Answers of custom-resource functions, by request id, PUT to the ResponseURL."""

    def __init__(self) -> None:
        self.pending: dict[str, Future[dict]] = {}
        self.lock = threading.Lock()

    def expect(self, request_id: str) -> Future[dict]:
        with self.lock:
            future = self.pending[request_id] = Future()
            return future

    def forget(self, request_id: str) -> None:
        with self.lock:
            self.pending.pop(request_id, None)

    @route(f"{RESPONSE_PATH}/<request_id>", methods=["PUT"])
    def answer(self, request: Request, request_id: str) -> Response:
        with self.lock:
            future = self.pending.get(request_id)
        if future is None:
            return Response(status=404)
        future.set_result(json.loads(request.get_data() or b"{}"))
        return Response(status=200)


_responses: Responses | None = None
_responses_lock = threading.Lock()


def responses() -> Responses:
    global _responses
    with _responses_lock:
        if _responses is None:
            _responses = Responses()
            ROUTER.add(_responses)
        return _responses


class CustomResourceProvider(ResourceProvider[Properties]):
    TYPE = "AWS::CloudFormation::CustomResource"
    SCHEMA = {
        "typeName": TYPE,
        "primaryIdentifier": ["/properties/PhysicalResourceId"],
        "readOnlyProperties": ["/properties/PhysicalResourceId"],
        "createOnlyProperties": [],
        "properties": {},
    }

    def _run(self, request: ResourceRequest[Properties], kind: str) -> ProgressEvent[Properties]:
        props = request.desired_state if kind != "Delete" else request.previous_state
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": kind,
            "ServiceToken": props["ServiceToken"],
            "ResponseURL": f"http://{_gateway_seen_by_functions()}{RESPONSE_PATH}/{request_id}",
            "StackId": request.stack_id,
            "RequestId": request_id,
            "LogicalResourceId": request.logical_resource_id,
            "ResourceType": request.resource_type,
            "ResourceProperties": _without_outputs(props),
        }
        if kind != "Create":
            event["PhysicalResourceId"] = request.previous_state.get("PhysicalResourceId")
        if kind == "Update":
            event["OldResourceProperties"] = _without_outputs(request.previous_state)
        answer = responses().expect(request_id)
        try:
            request.aws_client_factory.lambda_.invoke(
                FunctionName=props["ServiceToken"], InvocationType="Event", Payload=json.dumps(event).encode()
            )
            response = answer.result(timeout=RESPONSE_TIMEOUT_S)
        except TimeoutError:
            return _failed(f"{request.logical_resource_id}: no response from its function in {RESPONSE_TIMEOUT_S} s")
        finally:
            responses().forget(request_id)
        if response.get("Status") != "SUCCESS":
            return _failed(response.get("Reason") or f"{request.logical_resource_id} failed without a reason")
        model = {**props, **(response.get("Data") or {})}
        model["PhysicalResourceId"] = response.get("PhysicalResourceId") or request.logical_resource_id
        model["_Outputs"] = list((response.get("Data") or {}).keys())
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def create(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        return self._run(request, "Create")

    def update(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        return self._run(request, "Update")

    def delete(self, request: ResourceRequest[Properties]) -> ProgressEvent[Properties]:
        return self._run(request, "Delete")


def _gateway_seen_by_functions() -> str:
    """LocalStack's gateway as a function reaches it: on this machine with the process executor,
    else (functions in containers) at the address LocalStack gives its containers."""
    port = config.GATEWAY_LISTEN[0].port
    if config.LAMBDA_RUNTIME_EXECUTOR == "process":
        return f"127.0.0.1:{port}"
    from localstack.services.lambda_.networking import get_main_endpoint_from_container

    return f"{get_main_endpoint_from_container()}:{port}"


def _without_outputs(props: Properties) -> Properties:
    """The resource's properties as CloudFormation sends them, without what its function answered."""
    outputs = set(props.get("_Outputs", [])) | {"_Outputs", "PhysicalResourceId"}
    return as_strings({k: v for k, v in props.items() if k not in outputs})


def as_strings(value: Any) -> Any:
    """CloudFormation hands a custom resource every scalar property as a string (``true``, ``30``)."""
    if isinstance(value, dict):
        return {k: as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _failed(message: str) -> ProgressEvent[Properties]:
    return ProgressEvent(status=OperationStatus.FAILED, resource_model={}, message=message)
