"""LocalStack plugins that let s3-pipeline's stack run in LocalStack's host mode, without Docker.

- ``executor``: a Lambda runtime executor that runs each function as a local process.
- ``services``: DynamoDB, ECS and EFS served from the moto that LocalStack embeds.
- ``cfn``: CloudFormation resource providers for the ECS and EFS types LocalStack's free tier
  leaves hollow, so the deployed template gets real (emulated) clusters, task definitions and
  file systems.
"""
