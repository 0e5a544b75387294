package com.example.bedrockruntime;

// Streams replies from Anthropic Claude 2 through InvokeModelWithResponseStream twice: once with
// the Messages API body and once with the legacy Text Completions body.

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.json.JSONObject;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ResponseStream;

public class Claude2 {
  public static void main(String[] args) {
    System.out.println("=".repeat(67));
    System.out.println("Welcome to the Amazon Bedrock Runtime Demo with Anthropic Claude 2.");
    System.out.println("=".repeat(67));

    var prompt = "Hi, how are you?.";
    System.out.println("Prompt: " + prompt);

    System.out.println("-".repeat(67));
    System.out.println("Using the Messages API...");

    System.out.println("Streaming response:");
    try {
      JSONObject messagesApiResponse = invokeMessagesApiWithResponseStream(prompt);

      System.out.println("\n" + "-".repeat(67));
      System.out.println("Structured response:");
      System.out.println(messagesApiResponse.toString(2));

      // snippet: handle the error (Messages API)
    } catch (Exception e) {
      // join() wraps the failure in a CompletionException. The message names the Text Completions
      // API here too, as the documented program prints it.
      System.out.println("Couldn't invoke model using the Text Completions API, here's why:");
      System.out.println(e.getMessage());
    }
    // snippet: end

    System.out.println("-".repeat(67));
    System.out.println("Using the Text Completions API...");
    System.out.println("Streaming response:");
    try {
      String textCompletionsApiResponse = invokeTextCompletionsApiWithResponseStream(prompt);

      System.out.println("Complete response:");
      System.out.println(textCompletionsApiResponse);
    } catch (Exception e) {
      System.out.println("Couldn't invoke model using the Text Completions API, here's why:");
      System.out.println(e.getMessage());
    }
  }

  /**
   * Streams Claude 2's answer to a prompt sent in the Messages API format, printing each piece of
   * text on arrival.
   *
   * @param prompt what to ask the model
   * @return the reply's role, stop reason, metrics and complete text, as one JSON object
   */
  public static JSONObject invokeMessagesApiWithResponseStream(String prompt) {
    // snippet: create the client (Messages API)
    // Streaming needs the asynchronous client; the credentials come from the default profile.
    BedrockRuntimeAsyncClient client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(ProfileCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request (Messages API)
    String modelId = "anthropic.claude-v2";

    // append() wraps the message and its content block in JSON arrays.
    var payload =
        new JSONObject()
            .put("anthropic_version", "bedrock-2023-05-31")
            .put("max_tokens", 1000)
            .append(
                "messages",
                new JSONObject()
                    .put("role", "user")
                    .append("content", new JSONObject().put("type", "text").put("text", prompt)));

    var request =
        InvokeModelWithResponseStreamRequest.builder()
            .contentType("application/json")
            .body(SdkBytes.fromUtf8String(payload.toString()))
            .modelId(modelId)
            .build();

    // snippet: invoke (Messages API)
    // The handler fills this object while the stream runs; join() waits for the stream's end.
    JSONObject structuredResponse = new JSONObject();
    var handler = createMessagesApiResponseStreamHandler(structuredResponse);

    client.invokeModelWithResponseStream(request, handler).join();

    return structuredResponse;
  }

  // snippet: read the text (Messages API)
  private static InvokeModelWithResponseStreamResponseHandler
      createMessagesApiResponseStreamHandler(JSONObject structuredResponse) {
    AtomicReference<String> completeMessage = new AtomicReference<>("");

    // Every chunk is one Messages API stream event, told apart by its "type".
    Consumer<ResponseStream> responseStreamHandler =
        event ->
            event.accept(
                InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                    .onChunk(
                        c -> {
                          var chunk = new JSONObject(c.bytes().asUtf8String());

                          var chunkType = chunk.getString("type");
                          if ("message_start".equals(chunkType)) {
                            // Only the opening event names the role.
                            String role = chunk.optJSONObject("message").optString("role");
                            structuredResponse.put("role", role);

                          } else if ("content_block_delta".equals(chunkType)) {
                            // A piece of the reply: shown at once and kept for the summary.
                            var text = chunk.optJSONObject("delta").optString("text");
                            System.out.print(text);
                            completeMessage.getAndUpdate(current -> current + text);

                          } else if ("message_delta".equals(chunkType)) {
                            var stopReason = chunk.optJSONObject("delta").optString("stop_reason");
                            structuredResponse.put("stop_reason", stopReason);

                          } else if ("message_stop".equals(chunkType)) {
                            // Bedrock adds its invocation metrics to the closing event.
                            JSONObject metrics =
                                chunk.optJSONObject("amazon-bedrock-invocationMetrics");
                            structuredResponse.put(
                                "metrics",
                                new JSONObject()
                                    .put("inputTokenCount", metrics.optString("inputTokenCount"))
                                    .put("outputTokenCount", metrics.optString("outputTokenCount"))
                                    .put("firstByteLatency", metrics.optString("firstByteLatency"))
                                    .put(
                                        "invocationLatency",
                                        metrics.optString("invocationLatency")));
                          }
                        })
                    .build());

    return InvokeModelWithResponseStreamResponseHandler.builder()
        .onEventStream(stream -> stream.subscribe(responseStreamHandler))
        .onComplete(
            () ->
                // The collected text becomes the summary's single content block.
                structuredResponse.append(
                    "content",
                    new JSONObject().put("type", "text").put("text", completeMessage.get())))
        .build();
  }

  // snippet: end

  /**
   * Streams Claude 2's answer to a prompt sent in the legacy Text Completions format, printing each
   * piece of text on arrival.
   *
   * @param prompt what to ask the model
   * @return the complete reply text
   */
  public static String invokeTextCompletionsApiWithResponseStream(String prompt) {
    // snippet: create the client (Text Completions)
    BedrockRuntimeAsyncClient client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(ProfileCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request (Text Completions)
    String modelId = "anthropic.claude-v2";

    // The prompt is wrapped in Human/Assistant turns on one line, without the blank lines that
    // Anthropic's documented format puts before each turn.
    var payload =
        new JSONObject()
            .put("prompt", "Human: " + prompt + " Assistant:")
            .put("temperature", 0.5)
            .put("max_tokens_to_sample", 1000)
            .toString();

    var request =
        InvokeModelWithResponseStreamRequest.builder()
            .body(SdkBytes.fromUtf8String(payload))
            .contentType("application/json")
            .modelId(modelId)
            .build();

    // snippet: read the text (Text Completions)
    // Each chunk holds the next piece of the completion, which is printed and appended.
    var finalCompletion = new AtomicReference<>("");
    var visitor =
        InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
            .onChunk(
                chunk -> {
                  var json = new JSONObject(chunk.bytes().asUtf8String());
                  var completion = json.getString("completion");
                  finalCompletion.set(finalCompletion.get() + completion);
                  System.out.print(completion);
                })
            .build();

    // snippet: handle the error (Text Completions)
    // A failure is printed here, then join() rethrows it to the caller.
    var handler =
        InvokeModelWithResponseStreamResponseHandler.builder()
            .onEventStream(stream -> stream.subscribe(event -> event.accept(visitor)))
            .onComplete(() -> {})
            .onError(e -> System.out.println("\n\nError: " + e.getMessage()))
            .build();

    // snippet: invoke (Text Completions)
    client.invokeModelWithResponseStream(request, handler).join();

    return finalCompletion.get();
  }
  // snippet: end
}
