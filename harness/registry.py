"""The one declarative list of samples: every session, test and report iterates it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extraction import WHOLE_OUTPUT, Extraction
from .stub import INVOKE_MODEL, INVOKE_MODEL_STREAM
from .stub.models import PROMPT_END_RULE, PROMPT_START_RULE

ROOT = Path(__file__).resolve().parent.parent
CLAUDE_3_HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
CLAUDE_3_SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
CLAUDE_2 = "anthropic.claude-v2"


@dataclass(frozen=True)
class Tool:
    """A program a language needs on PATH, and how a user gets it."""

    command: str
    needed_for: str
    how_to_install: str

    def missing_message(self) -> str:
        return f"`{self.command}` ({self.needed_for}) is not on PATH; install it: {self.how_to_install}"


@dataclass(frozen=True)
class Step:
    """An install or build command; skipped when its inputs and command are unchanged and its outputs exist."""

    name: str
    commands: tuple[tuple[str, ...], ...]
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    timeout: float = 900.0
    # Skip the step whenever its outputs exist, whoever made them (a user's own install, an offline copy).
    satisfied_by_outputs: bool = False
    # If set, a failure of this step means the SDK cannot be had here: the language is skipped with this message.
    unavailable: str | None = None


@dataclass(frozen=True)
class Check:
    """A static check of a sample's sources (formatter, linter, parser), run by `nox -s lint`.

    `{files}` in the command stands for every file matching `files` (relative to the language folder); `{file}`
    runs the command once per matching file (for tools that check only their first argument, like `php -l`).
    """

    name: str
    command: tuple[str, ...]
    tools: tuple[Tool, ...] = ()
    files: str | None = None
    after_steps: bool = False  # needs the language's install and build steps first
    fails_on_output: bool = False  # for tools that list offending files and still exit 0 (gofmt -l)


@dataclass(frozen=True)
class ErrorPath:
    """What the sample's own error handling prints when the service answers with an error.

    Some printed line contains `line`, which may use {model_id}, {error} (the error's name) and {message} (the
    service's message), and `*` for text that varies (request ids, status details). `exit_code` None means any
    non-zero code (an unhandled exception's code varies).
    """

    line: str
    stream: str = "stdout"
    exit_code: int | None = 1

    def expected_line(self, model_id: str, error: str, message: str) -> str:
        return self.line.format(model_id=model_id, error=error, message=message)

    def found_in(self, text: str, model_id: str, error: str, message: str) -> bool:
        """Whether some line of `text` holds the expected line's parts, in order."""
        parts = self.expected_line(model_id, error, message).split("*")
        for printed in text.splitlines():
            position = 0
            for part in parts:
                position = printed.find(part, position)
                if position < 0:
                    break
                position += len(part)
            else:
                return True
        return False


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    source: str  # the seed's code, relative to the language folder
    run: tuple[str, ...]
    operation: str
    model_id: str
    on_error: ErrorPath
    extraction: Extraction = WHOLE_OUTPUT
    # Documented request rules the sample breaks, which the stub records (and rejects under --strict).
    expected_findings: tuple[str, ...] = ()
    # Text only this sample's request body holds, where one run makes several requests to the same model.
    request_marker: str | None = None
    # The service errors its own error handling catches (None: all of them), and what it does with the others.
    caught_errors: tuple[str, ...] | None = None
    on_uncaught: ErrorPath | None = None

    @property
    def streams(self) -> bool:
        return self.operation == INVOKE_MODEL_STREAM

    def error_path(self, error: str) -> ErrorPath:
        caught = self.caught_errors is None or error in self.caught_errors
        return self.on_error if caught or self.on_uncaught is None else self.on_uncaught


@dataclass(frozen=True)
class Floor:
    """A language's start-up floor for the benchmark: its runtime starting, loading the SDK, building the client
    and printing, with no request. `{floors}` is harness/bench/floors, `{cache}` the benchmark's build folder."""

    run: tuple[str, ...]
    build: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Sdk:
    package: str
    manifest: str  # where the pinned version is read, relative to the language folder


@dataclass(frozen=True)
class Language:
    name: str
    title: str
    folder: str
    tools: tuple[Tool, ...]
    sdk: Sdk
    steps: tuple[Step, ...]
    samples: tuple[Sample, ...] = field(default_factory=tuple)
    # The language's own unit tests (run by `nox -s tests` after the build steps), if it has any.
    unit_tests: tuple[str, ...] | None = None
    checks: tuple[Check, ...] = ()
    # Whether the SDK retries a throttled request by default (every AWS SDK does; an emulation may not).
    retries_throttling: bool = True
    floor: Floor | None = None

    @property
    def path(self) -> Path:
        return ROOT / self.folder


BOTO3_ERROR = ErrorPath(
    "ERROR: Can't invoke '{model_id}'. Reason: An error occurred ({error}) when calling the InvokeModel operation: "
    "{message}"
)
# The JavaScript module's run-directly block logs the error and ends normally; the streaming runner exits 1.
JS_ERROR = ErrorPath("{error}: {message}", exit_code=0)
# Each ABAP snippet catches the access-denied error itself, writes its text and the console hint, and goes on.
ABAP_ACCESS_DENIED = ErrorPath("{message}", exit_code=0)
# Errors the snippets do not catch: the runner writes them in the snippet's frame and ends with code 1.
ABAP_UNCAUGHT = ErrorPath("ERROR {error}: {message}", exit_code=1)
# The Java sample catches only SdkClientException (failures on the client's side, such as a refused connection);
# a service error is an SdkServiceException, so it ends the program as an uncaught exception.
JAVA_CLIENT_ERROR = ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: *", stream="stderr")
JAVA_UNCAUGHT = ErrorPath(
    'Exception in thread "main" software.amazon.awssdk.services.bedrockruntime.model.{error}: {message} '
    "(Service: BedrockRuntime, Status Code: *",
    stream="stderr",
)
# A JVM tuned for a short run; these flags change start-up time, not behaviour.
JAVA_RUN = ("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", "target/bedrockruntime-invoke-model.jar")
ABAP_RUNNER = ("node", "output/project/zbdr_claude_runner.prog.mjs")
ABAP_SOURCES = ("src/*", "emulation/*", "emulation/*/*")


def abap_snippet(sample_id: str, title: str, model_id: str, label: str, **specifics: Any) -> Sample:
    """One of the three ABAP snippets: all run in one program, which writes each answer between a labelled line
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
        **specifics,
    )


PYTHON3 = Tool("python3", "Python 3.9 or later with venv", "Debian: apt-get install python3 python3-venv")
NODE = Tool("node", "Node.js 18 or later", "Debian: apt-get install nodejs npm, or a Node.js release for your system")
JAVA = Tool("java", "a JDK, 17 or later", "Debian: apt-get install openjdk-17-jdk-headless")
MAVEN = Tool("mvn", "Apache Maven 3.8 or later", "Debian: apt-get install maven")
GO = Tool("go", "Go 1.24 or later", "Debian: apt-get install golang-go, or a Go release for your system")
GOFMT = Tool("gofmt", "gofmt, which comes with Go", "it is installed with Go")
PHP = Tool(
    "php",
    "PHP 8.1 or later with the curl, mbstring and xml extensions",
    "Debian: apt-get install php-cli php-curl php-xml php-mbstring",
)
PHPCS = Tool("phpcs", "PHP_CodeSniffer, for PSR-12", "Debian: apt-get install php-codesniffer")
DOTNET = Tool(
    "dotnet",
    "the .NET 8 SDK",
    "install the .NET 8 SDK (Microsoft's dotnet-sdk-8.0 package for your system, or its dotnet-install script)",
)
NPM = Tool("npm", "the npm package manager", "Debian: apt-get install npm (it comes with most Node.js releases)")

# Installs an npm project's locked dependencies (the JavaScript sample, and the ABAP transpiler).
NPM_CI = Step(
    "install",
    commands=(("npm", "ci", "--no-audit", "--no-fund"),),
    inputs=("package.json", "package-lock.json"),
    outputs=("node_modules",),
)

LANGUAGES: tuple[Language, ...] = (
    Language(
        name="python",
        title="Python (boto3)",
        folder="python",
        tools=(PYTHON3,),
        sdk=Sdk("boto3", manifest="requirements.txt"),
        steps=(
            Step(
                "install",
                commands=(
                    ("python3", "-m", "venv", ".venv"),
                    (".venv/bin/python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"),
                ),
                inputs=("requirements.txt",),
                outputs=(".venv/bin/python",),
            ),
        ),
        samples=(
            Sample(
                id="python",
                title="invoke_model.py",
                source="invoke_model.py",
                run=(".venv/bin/python", "invoke_model.py"),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                on_error=BOTO3_ERROR,
            ),
        ),
        floor=Floor(
            (
                ".venv/bin/python",
                "-c",
                "import boto3; boto3.client('bedrock-runtime', region_name='us-east-1'); print('floor')",
            )
        ),
        checks=(
            Check("ruff format", ("ruff", "format", "--check", ".")),
            Check("ruff check", ("ruff", "check", "--select", "E,F,I", ".")),
        ),
    ),
    Language(
        name="javascript",
        title="JavaScript (SDK v3)",
        folder="javascript",
        tools=(NODE, NPM),
        sdk=Sdk("@aws-sdk/client-bedrock-runtime", manifest="package-lock.json"),
        steps=(NPM_CI,),
        samples=(
            Sample(
                id="javascript",
                title="invoke_claude_3.js, run directly",
                source="models/anthropicClaude/invoke_claude_3.js",
                run=("node", "models/anthropicClaude/invoke_claude_3.js"),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                on_error=JS_ERROR,
                extraction=Extraction(after="Final structured response:"),
            ),
            Sample(
                id="javascript-stream",
                title="invokeModelWithResponseStream, through runners/stream_claude_3.js",
                source="models/anthropicClaude/invoke_claude_3.js",
                run=("node", "runners/stream_claude_3.js"),
                operation=INVOKE_MODEL_STREAM,
                model_id=CLAUDE_3_HAIKU,
                on_error=ErrorPath("{error}: {message}", exit_code=1),
            ),
        ),
        floor=Floor(
            (
                "node",
                "--input-type=module",
                "-e",
                "const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime'); "
                "new BedrockRuntimeClient({ region: 'us-east-1' }); console.log('floor');",
            )
        ),
        checks=(Check("prettier", ("node_modules/.bin/prettier", "--check", "."), tools=(NODE,), after_steps=True),),
    ),
    Language(
        name="java",
        title="Java (SDK for Java 2.x)",
        folder="java",
        tools=(JAVA, MAVEN),
        sdk=Sdk("software.amazon.awssdk:bom", manifest="pom.xml"),
        steps=(
            Step("resolve", commands=(("mvn", "-B", "-q", "dependency:go-offline"),), inputs=("pom.xml",)),
            Step(
                "build",
                commands=(("mvn", "-B", "-q", "-o", "package"),),
                inputs=("pom.xml", "src/main/java/**/*.java"),
                outputs=("target/bedrockruntime-invoke-model.jar", "target/lib"),
            ),
        ),
        samples=(
            Sample(
                id="java",
                title="InvokeModel.java",
                source="src/main/java/com/example/bedrockruntime/InvokeModel.java",
                run=JAVA_RUN,
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                on_error=JAVA_CLIENT_ERROR,
                caught_errors=(),
                on_uncaught=JAVA_UNCAUGHT,
            ),
        ),
        floor=Floor(
            (*JAVA_RUN[:-2], "-cp", "{cache}/java:target/lib/*", "Floor"),
            build=(("javac", "-d", "{cache}/java", "-cp", "target/lib/*", "{floors}/Floor.java"),),
        ),
        checks=(Check("google-java-format", ("mvn", "-B", "-q", "-o", "fmt:check"), tools=(MAVEN,), after_steps=True),),
    ),
    Language(
        name="go",
        title="Go (SDK for Go v2)",
        folder="go",
        tools=(GO,),
        sdk=Sdk("github.com/aws/aws-sdk-go-v2/service/bedrockruntime", manifest="go.mod"),
        steps=(
            Step("download", commands=(("go", "mod", "download"),), inputs=("go.mod", "go.sum")),
            Step(
                "build",
                commands=(("go", "build", "-o", "bin/invoke_claude", "./cmd/invoke_claude"),),
                inputs=("go.mod", "go.sum", "*/*.go", "*/*/*.go"),
                outputs=("bin/invoke_claude",),
            ),
        ),
        samples=(
            Sample(
                id="go",
                title="InvokeModelWrapper.InvokeClaude, through cmd/invoke_claude",
                source="actions/invoke_model.go",
                run=("bin/invoke_claude",),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_2,
                on_error=ErrorPath(
                    "ERROR: Can't invoke '{model_id}'. Reason: operation error Bedrock Runtime: *{error}: {message}",
                    stream="stderr",
                ),
                expected_findings=(PROMPT_START_RULE,),
            ),
        ),
        floor=Floor(("{cache}/go-floor",), build=(("go", "build", "-o", "{cache}/go-floor", "{floors}/floor.go"),)),
        checks=(
            Check("gofmt", ("gofmt", "-l", "."), tools=(GOFMT,), fails_on_output=True),
            Check("go vet", ("go", "vet", "./..."), tools=(GO,)),
        ),
    ),
    Language(
        name="abap",
        title="SAP ABAP (SDK surface emulated, on the abaplint transpiler)",
        folder="abap",
        tools=(NODE, NPM),
        sdk=Sdk("@abaplint/transpiler-cli", manifest="package-lock.json"),
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
    ),
    Language(
        name="php",
        title="PHP (SDK for PHP 3)",
        folder="php",
        tools=(PHP,),
        sdk=Sdk("aws/aws-sdk-php", manifest="composer.json"),
        steps=(
            Step(
                "install",
                commands=(("composer", "install", "--no-interaction", "--no-progress"),),
                inputs=("composer.json",),
                outputs=("vendor/autoload.php",),
                satisfied_by_outputs=True,
                unavailable="the AWS SDK for PHP (aws/aws-sdk-php, pinned in php/composer.json) is not installed: "
                "run `composer install` in php/ where Packagist is reachable, or place an installed vendor/ there",
            ),
        ),
        samples=(
            Sample(
                id="php",
                title="BedrockRuntimeService::invokeClaude, through run_invoke_claude.php",
                source="src/BedrockRuntimeService.php",
                run=("php", "run_invoke_claude.php"),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                # The SDK's exceptions carry code 0; its message wraps the service's.
                on_error=ErrorPath("Error: (0) - "),
            ),
        ),
        floor=Floor(
            (
                "php",
                "-r",
                "require 'vendor/autoload.php'; new Aws\\BedrockRuntime\\BedrockRuntimeClient("
                "['region' => 'us-east-1', 'version' => 'latest']); echo \"floor\\n\";",
            )
        ),
        checks=(
            Check("php -l", ("php", "-l", "{file}"), tools=(PHP,), files="**/*.php"),
            Check("PSR-12", ("phpcs", "--standard=PSR12", "src", "run_invoke_claude.php"), tools=(PHPCS,)),
        ),
    ),
    Language(
        name="dotnet",
        title=".NET (AWSSDK.BedrockRuntime)",
        folder="dotnet",
        tools=(DOTNET,),
        sdk=Sdk("AWSSDK.BedrockRuntime", manifest="InvokeModel.csproj"),
        steps=(
            Step(
                "restore",
                commands=(("dotnet", "restore"),),
                inputs=("InvokeModel.csproj", "packages.lock.json"),
                outputs=("obj/project.assets.json",),
                unavailable="AWSSDK.BedrockRuntime (pinned in dotnet/InvokeModel.csproj) could not be restored: "
                "run `dotnet restore` in dotnet/ where NuGet is reachable",
            ),
            Step(
                "build",
                commands=(("dotnet", "build", "--no-restore", "--nologo", "-c", "Release"),),
                inputs=("InvokeModel.csproj", "*.cs", "obj/project.assets.json"),
                outputs=("bin/Release/net8.0/InvokeModel.dll",),
            ),
        ),
        samples=(
            Sample(
                id="dotnet",
                title="Program.cs (top-level program)",
                source="Program.cs",
                run=("dotnet", "bin/Release/net8.0/InvokeModel.dll"),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                # The seed rethrows after its error line, so the runtime ends the process with an unhandled exception.
                on_error=ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: {message}", exit_code=None),
            ),
        ),
        checks=(
            Check(
                "C# syntax (tree-sitter)",
                ("python", "-m", "harness.checks.csharp_syntax", "{files}"),
                files="*.cs",
            ),
        ),
    ),
)


def language(name: str) -> Language:
    for candidate in LANGUAGES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no language {name!r}; known: {', '.join(language_names())}")


def language_names() -> list[str]:
    return [candidate.name for candidate in LANGUAGES]


def all_samples() -> list[tuple[Language, Sample]]:
    return [(candidate, sample) for candidate in LANGUAGES for sample in candidate.samples]
