"""SAP ABAP: the snippets on the abaplint transpiler, with the SDK surface they use emulated in ABAP."""

from __future__ import annotations

from typing import Any

from bedrock_stub import INVOKE_MODEL
from bedrock_stub.models import PROMPT_END_RULE

from ..extraction import Extraction
from .common import CLAUDE_2, CLAUDE_3_SONNET, NODE, NPM, NPM_CI
from .model import ErrorPath, Floor, Installed, Language, Sample, Sdk, Step

# Each snippet catches the access-denied error itself, writes its text and the console hint, and goes on.
ABAP_ACCESS_DENIED = ErrorPath("{message}", exit_code=0)
# Errors the snippets do not catch: the runner writes them in the snippet's frame and ends with code 1.
ABAP_UNCAUGHT = ErrorPath("ERROR {error}: {message}", exit_code=1)
ABAP_RUNNER = ("node", "output/project/zbdr_claude_runner.prog.mjs")
ABAP_SOURCES = ("src/*", "emulation/*", "emulation/*/*")
# The three Claude methods of the actions class, at the last commit before the repository removed them.
# The repository never held an SAP ABAP example of Converse, ConverseStream or InvokeModelWithResponseStream.
ABAP_UPSTREAM = "sap-abap/services/bdr/#awsex#cl_bdr_actions.clas.abap@1cd0734e05f493674316679c214cc6b1a8dd5db1"


def abap_snippet(sample_id: str, title: str, model_id: str, label: str, **specifics: Any) -> Sample:
    """One of the ABAP snippets: all run in one program, which writes each answer between a labelled line
    and an end line."""
    return Sample(
        id=sample_id,
        title=title,
        source="src/zcl_bdr_claude_invoke_model.clas.abap",
        run=ABAP_RUNNER,
        operation=INVOKE_MODEL,
        model_id=model_id,
        on_error=ABAP_ACCESS_DENIED,
        caught_errors=("AccessDeniedException",),
        on_uncaught=ABAP_UNCAUGHT,
        extraction=Extraction(after=f"--- {label} ---", before="--- end ---"),
        upstream=ABAP_UPSTREAM,
        **specifics,
    )


LANGUAGE = Language(
    name="abap",
    title="SAP ABAP (SDK surface emulated, on the abaplint transpiler)",
    folder="abap",
    tools=(NODE, NPM),
    sdk=Sdk(
        "@abaplint/transpiler-cli",
        manifest="package-lock.json",
        installed=Installed("npm", "node_modules", "@abaplint/transpiler-cli"),
    ),
    retries_throttling=False,
    steps=(
        NPM_CI,
        Step(
            "lint",
            commands=(("node_modules/.bin/abaplint", "abaplint.json"),),
            inputs=("abaplint.json", *ABAP_SOURCES),
        ),
        Step(
            "transpile",
            commands=(("node_modules/.bin/abap_transpile", "abap_transpile.json"),),
            inputs=("abap_transpile.json", *ABAP_SOURCES),
            outputs=("output/project/zbdr_claude_runner.prog.mjs",),
        ),
    ),
    samples=(
        abap_snippet(
            "abap-low-level",
            "invokemodel with the native Text Completions body",
            CLAUDE_2,
            "low-level invokemodel (anthropic.claude-v2)",
            expected_findings=(PROMPT_END_RULE,),
            request_marker='"top_k"',
        ),
        abap_snippet(
            "abap-l2-claude-2",
            "L2 client create_claude_2( )->prompt_for_text( )",
            CLAUDE_2,
            "L2 create_claude_2 (anthropic.claude-v2)",
            request_marker="Human: ",
        ),
        abap_snippet(
            "abap-l2-messages",
            "L2 Messages client create_anthropic_msg_api( )->prompt_for_text( )",
            CLAUDE_3_SONNET,
            "L2 create_anthropic_msg_api (anthropic.claude-3-sonnet-20240229-v1:0)",
        ),
    ),
    unit_tests=("node", "run_unit_tests.mjs"),
    floor=Floor(("node", "--input-type=module", "-e", "await import('./output/init.mjs'); console.log('floor')")),
)
