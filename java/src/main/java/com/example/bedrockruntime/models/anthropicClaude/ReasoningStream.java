package com.example.bedrockruntime.models.anthropicClaude;

// Asks Claude Sonnet 4 through the ConverseStream API with extended thinking turned on, and prints
// the reasoning, then the answer, piece by piece as they arrive.

import com.example.bedrockruntime.models.anthropicClaude.lib.ReasoningResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.*;

public class ReasoningStream {

  public static ReasoningResponse reasoningStream() {

    // snippet: create the client [java-reasoning-stream]
    // Streaming needs the asynchronous client; credentials come from the default provider chain.
    var client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request [java-reasoning-stream]
    // Claude Sonnet 4 is served on demand only through an inference profile, here the US one.
    var modelId = "us.anthropic.claude-sonnet-4-20250514-v1:0";

    var prompt = "Describe the purpose of a 'hello world' program in one line.";
    var message =
        Message.builder()
            .content(ContentBlock.fromText(prompt))
            .role(ConversationRole.USER)
            .build();

    // Thinking is the model's own setting, passed through additionalModelRequestFields.
    Document reasoningConfig =
        Document.mapBuilder()
            .putDocument(
                "thinking",
                Document.mapBuilder()
                    .putString("type", "enabled")
                    .putNumber("budget_tokens", 2000)
                    .build())
            .build();

    ConverseStreamRequest request =
        ConverseStreamRequest.builder()
            .additionalModelRequestFields(reasoningConfig)
            .messages(message)
            .modelId(modelId)
            .build();

    // snippet: read the text [java-reasoning-stream]
    StringBuilder reasoning = new StringBuilder();
    StringBuilder text = new StringBuilder();
    AtomicReference<ReasoningResponse> finalresponse = new AtomicReference<>();

    // Reasoning deltas come first and open the <thinking> section; the first text delta closes it.
    // A delta that carries only the reasoning's signature prints nothing.
    var streamHandler =
        ConverseStreamResponseHandler.builder()
            .subscriber(
                ConverseStreamResponseHandler.Visitor.builder()
                    .onContentBlockDelta(
                        chunk -> {
                          ContentBlockDelta delta = chunk.delta();
                          if (delta.reasoningContent() != null) {
                            if (reasoning.isEmpty()) {
                              System.out.println("\n<thinking>");
                            }
                            if (delta.reasoningContent().text() != null) {
                              System.out.print(delta.reasoningContent().text());
                              reasoning.append(delta.reasoningContent().text());
                            }
                          } else if (delta.text() != null) {
                            if (text.isEmpty()) {
                              System.out.println("\n</thinking>\n");
                            }
                            System.out.print(delta.text());
                            text.append(delta.text());
                          }
                          // Each piece shows as soon as it arrives.
                          System.out.flush();
                        })
                    .build())
            .onComplete(
                () ->
                    finalresponse.set(
                        new ReasoningResponse(
                            ReasoningContentBlock.fromReasoningText(
                                t -> t.text(reasoning.toString())),
                            text.toString())))
            .onError(err -> System.err.printf("Can't invoke '%s': %s", modelId, err.getMessage()))
            .build();

    // snippet: invoke [java-reasoning-stream]
    try {
      // The handler consumes the events; get() waits until the stream has ended.
      client.converseStream(request, streamHandler).get();
      return finalresponse.get();

      // snippet: handle the error [java-reasoning-stream]
    } catch (ExecutionException | InterruptedException e) {
      // The failure is reported a second time, from its cause, then rethrown.
      System.err.printf("Can't invoke '%s': %s", modelId, e.getCause().getMessage());
      throw new RuntimeException(e);
    } catch (Exception e) {
      System.err.printf("Can't invoke '%s': %s", modelId, e.getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end [java-reasoning-stream]
  public static void main(String[] args) {
    reasoningStream();
  }
}
