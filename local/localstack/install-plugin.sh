#!/bin/sh
# Boot hook of LocalStack's container (/etc/localstack/init/boot.d): installs the project's plugin
# (mounted read-only at /opt/s3-pipeline-plugin) into LocalStack's own environment before it starts.
set -e
cp -r /opt/s3-pipeline-plugin /tmp/s3-pipeline-plugin
/opt/code/localstack/.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation /tmp/s3-pipeline-plugin
