"""A local Amazon Bedrock Runtime for tests: the stub's public API under a name that says what it is.

`from bedrock_stub import Stub` starts one from Python; installed, the package also registers a pytest plugin
(`bedrock_stub.pytest_plugin`) whose `bedrock_stub` fixture points every AWS SDK in the test at a shared stub.
"""

from harness import stub as _stub
from harness.stub import *  # noqa: F403  (the same public API, under this name)

__all__ = _stub.__all__
