"""Unit tests of the plugin's pure parts (run by scripts/test.sh in .venv/localstack):
python -m unittest discover -s local/localstack/plugin/tests"""

import os
import unittest
from unittest import mock

from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException

from s3_pipeline_localstack.cfn import EfsAccessPointProvider, ecs_params
from s3_pipeline_localstack.custom_resource import as_strings
from s3_pipeline_localstack.executor import map_mounts, parse_mounts, runtime_command


class MountsTest(unittest.TestCase):
    def test_parses_mount_folder_pairs(self):
        self.assertEqual(parse_mounts("/mnt/shared=/tmp/efs, /mnt/b/=/x"), {"/mnt/shared": "/tmp/efs", "/mnt/b": "/x"})
        self.assertEqual(parse_mounts(""), {})

    def test_rejects_a_pair_without_an_absolute_mount_path(self):
        for spec in ("mnt=/x", "/mnt", "/mnt="):
            with self.assertRaisesRegex(ValueError, "MOUNT_PATH=FOLDER"):
                parse_mounts(spec)

    def test_points_a_mount_path_and_paths_under_it_into_the_folder(self):
        env = {"SHARED": "/mnt/shared", "SUB": "/mnt/shared/results", "NEAR": "/mnt/sharedx", "OTHER": "x"}
        self.assertEqual(
            map_mounts(env, {"/mnt/shared": "/tmp/efs"}),
            {"SHARED": "/tmp/efs", "SUB": "/tmp/efs/results", "NEAR": "/mnt/sharedx", "OTHER": "x"},
        )


class RuntimeCommandTest(unittest.TestCase):
    def test_runs_node_functions_on_the_configured_node_with_a_heap_from_their_memory(self):
        with mock.patch.dict(os.environ, {"PIPELINE_LAMBDA_NODE": "/n/node", "PIPELINE_LAMBDA_NODE_RUNTIME": "/r.mjs"}):
            self.assertEqual(
                runtime_command("nodejs24.x", 1769),
                ["/n/node", "--expose-gc", "--max-semi-space-size=88", "--max-old-space-size=1592", "/r.mjs"],
            )

    def test_says_what_is_missing_for_node(self):
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaisesRegex(LambdaRuntimeException, "PIPELINE_LAMBDA_NODE"):
                runtime_command("nodejs24.x", 128)

    def test_refuses_a_python_version_it_is_not(self):
        with self.assertRaisesRegex(LambdaRuntimeException, "not python3.9"):
            runtime_command("python3.9", 128)

    def test_refuses_runtimes_it_has_none_for(self):
        with self.assertRaisesRegex(LambdaRuntimeException, "java21"):
            runtime_command("java21", 128)


class CloudFormationShapesTest(unittest.TestCase):
    def test_turns_ecs_properties_into_api_names_but_leaves_option_keys(self):
        cfn = {
            "ContainerDefinitions": [{"Name": "w", "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "g"}}}],
            "Volumes": [{"Name": "s", "EFSVolumeConfiguration": {"FilesystemId": "fs-1", "AuthorizationConfig": {"IAM": "ENABLED"}}}],
        }
        self.assertEqual(
            ecs_params(cfn),
            {
                "containerDefinitions": [{"name": "w", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}],
                "volumes": [{"name": "s", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "authorizationConfig": {"iam": "ENABLED"}}}],
            },
        )

    def test_keeps_what_identifies_a_resource_across_an_update(self):
        request = mock.Mock(
            previous_state={"AccessPointId": "fsap-1", "Arn": "arn:a", "FileSystemId": "fs-1"},
            desired_state={"FileSystemId": "fs-1", "AccessPointTags": [{"Key": "k", "Value": "v"}]},
        )
        self.assertEqual(
            EfsAccessPointProvider().update(request).resource_model,
            {"AccessPointId": "fsap-1", "Arn": "arn:a", "FileSystemId": "fs-1", "AccessPointTags": [{"Key": "k", "Value": "v"}]},
        )

    def test_gives_custom_resources_their_scalars_as_strings(self):
        self.assertEqual(
            as_strings({"Managed": False, "N": 30, "L": [True, {"x": 1.5}], "S": "s"}),
            {"Managed": "false", "N": "30", "L": ["true", {"x": "1.5"}], "S": "s"},
        )


if __name__ == "__main__":
    unittest.main()
