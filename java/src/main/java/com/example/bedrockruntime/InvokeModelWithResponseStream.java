package com.example.bedrockruntime;

// Streams a reply from Anthropic Claude 2 through InvokeModelWithResponseStream with the legacy
// Text Completions body.

import java.util.concurrent.atomic.AtomicReference;
import org.json.JSONObject;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;

public class InvokeModelWithResponseStream {

  /**
   * Streams Claude 2's completion of a prompt.
   *
   * @param prompt what to ask the model
   * @param silent true to keep the pieces of text off the console while they arrive
   * @return the complete reply text
   */
  public static String invokeClaude(String prompt, boolean silent) {

    // snippet: create the client
    // Streaming needs the asynchronous client; the credentials come from the default profile.
    BedrockRuntimeAsyncClient client =
        BedrockRuntimeAsyncClient.builder()
            .region(Region.US_EAST_1)
            .credentialsProvider(ProfileCredentialsProvider.create())
            .build();

    // snippet: build the request
    // The prompt is wrapped in Human/Assistant turns on one line, without the blank lines that
    // Anthropic's documented format puts before each turn.
    var payload =
        new JSONObject()
            .put("prompt", "Human: " + prompt + " Assistant:")
            .put("temperature", 0.8)
            .put("max_tokens_to_sample", 300)
            .toString();

    var request =
        InvokeModelWithResponseStreamRequest.builder()
            .body(SdkBytes.fromUtf8String(payload))
            .modelId("anthropic.claude-v2")
            .contentType("application/json")
            .accept("application/json")
            .build();

    // snippet: read the text
    // Each chunk holds the next piece of the completion; the pieces are collected here.
    var finalCompletion = new AtomicReference<>("");
    var visitor =
        InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
            .onChunk(
                chunk -> {
                  var json = new JSONObject(chunk.bytes().asUtf8String());
                  var completion = json.getString("completion");
                  finalCompletion.set(finalCompletion.get() + completion);
                  if (!silent) {
                    System.out.print(completion);
                  }
                })
            .build();

    // snippet: handle the error
    // A failure is printed here, then join() rethrows it to the caller.
    var handler =
        InvokeModelWithResponseStreamResponseHandler.builder()
            .onEventStream(stream -> stream.subscribe(event -> event.accept(visitor)))
            .onComplete(() -> {})
            .onError(e -> System.out.println("\n\nError: " + e.getMessage()))
            .build();

    // snippet: invoke
    client.invokeModelWithResponseStream(request, handler).join();

    return finalCompletion.get();
  }
  // snippet: end
}
