package com.example.bedrockruntime;

// Streams a reply from Anthropic Claude 3 Haiku through InvokeModelWithResponseStream with the
// Messages API body, printing the text as it arrives and collecting the stream's metadata.

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

public class Claude3 {
  public static void main(String[] args) {
    System.out.println("=".repeat(67));
    System.out.println("Welcome to the Amazon Bedrock Runtime Demo with Anthropic Claude 3.");
    System.out.println("=".repeat(67));

    var prompt = "Hi, how are you?.";
    System.out.println("Prompt: " + prompt);

    System.out.println("-".repeat(67));
    System.out.println("Streaming response:");
    try {
      JSONObject messagesApiResponse = invokeModelWithResponseStream(prompt);

      System.out.println("\n" + "-".repeat(67));
      System.out.println("Structured response:");
      System.out.println(messagesApiResponse.toString(2));

      // snippet: handle the error
    } catch (Exception e) {
      // The stream's failure arrives here wrapped in a CompletionException from join().
      System.out.println(
          "Couldn't invoke model using the Messages API, here's why: " + e.getMessage());
    }
    // snippet: end
  }

  /**
   * Streams Claude 3 Haiku's answer to a prompt, printing each piece of text on arrival.
   *
   * @param prompt what to ask the model
   * @return the reply's role, stop reason, metrics and complete text, as one JSON object
   */
  public static JSONObject invokeModelWithResponseStream(String prompt) {
    // snippet: create the client
    // Streaming needs the asynchronous client; the credentials come from the default profile.
    BedrockRuntimeAsyncClient client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(ProfileCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request
    String modelId = "anthropic.claude-3-haiku-20240307-v1:0";

    // A Messages API body: append() wraps the message and its content block in JSON arrays.
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

    // snippet: invoke
    // The handler fills this object while the stream runs; join() waits for the stream's end.
    JSONObject structuredResponse = new JSONObject();
    var handler = createMessagesApiResponseStreamHandler(structuredResponse);

    client.invokeModelWithResponseStream(request, handler).join();

    return structuredResponse;
  }

  // snippet: read the text
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
}
