"""Java: the SDK for Java 2.x samples in one Maven project, run from its jar."""

from __future__ import annotations

from ..stub import INVOKE_MODEL
from .common import CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Floor, Language, Sample, Sdk, Step, Tool

JAVA = Tool("java", "a JDK, 17 or later", "Debian: apt-get install openjdk-17-jdk-headless")
MAVEN = Tool("mvn", "Apache Maven 3.8 or later", "Debian: apt-get install maven")
# The sample catches only SdkClientException (failures on the client's side, such as a refused connection);
# a service error is an SdkServiceException, so it ends the program as an uncaught exception.
JAVA_CLIENT_ERROR = ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: *", stream="stderr")
JAVA_UNCAUGHT = ErrorPath(
    'Exception in thread "main" software.amazon.awssdk.services.bedrockruntime.model.{error}: {message} '
    "(Service: BedrockRuntime, Status Code: *",
    stream="stderr",
)
# A JVM tuned for a short run; these flags change start-up time, not behaviour.
JAVA_RUN = ("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", "target/bedrockruntime-invoke-model.jar")

LANGUAGE = Language(
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
)
