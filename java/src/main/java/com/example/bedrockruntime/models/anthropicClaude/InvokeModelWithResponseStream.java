package com.example.bedrockruntime.models.anthropicClaude;

// Sends one text message to Anthropic Claude in the model's own request format through
// InvokeModelWithResponseStream, and prints the reply piece by piece as it arrives.

import static software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler.Visitor;

import java.util.Objects;
import java.util.concurrent.ExecutionException;
import org.json.JSONObject;
import org.json.JSONPointer;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;

public class InvokeModelWithResponseStream {

  public static String invokeModelWithResponseStream() {

    // snippet: create the client
    // Streaming needs the asynchronous client; credentials come from the default provider chain.
    var client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request
    // Claude 3 Haiku, by its base model id.
    var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

    // The body is Anthropic's Messages API request, as JSON text with a slot for the prompt.
    var nativeRequestTemplate =
        """
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 512,
            "temperature": 0.5,
            "messages": [{
                "role": "user",
                "content": "{{prompt}}"
            }]
        }""";

    var prompt = "Describe the purpose of a 'hello world' program in one line.";

    // Plain text replacement: the prompt holds no character that JSON would need escaped.
    String nativeRequest = nativeRequestTemplate.replace("{{prompt}}", prompt);

    var request =
        InvokeModelWithResponseStreamRequest.builder()
            .body(SdkBytes.fromUtf8String(nativeRequest))
            .modelId(modelId)
            .build();

    // snippet: read the text
    // The whole reply is also collected, to be returned once the stream ends.
    var completeResponseTextBuffer = new StringBuilder();

    // Every chunk is one Messages API stream event; only content_block_delta events carry text.
    var responseStreamHandler =
        InvokeModelWithResponseStreamResponseHandler.builder()
            .subscriber(
                Visitor.builder()
                    .onChunk(
                        chunk -> {
                          var response = new JSONObject(chunk.bytes().asUtf8String());

                          if (Objects.equals(response.getString("type"), "content_block_delta")) {
                            var text = new JSONPointer("/delta/text").queryFrom(response);
                            System.out.print(text);

                            completeResponseTextBuffer.append(text);
                          }
                        })
                    .build())
            .build();

    // snippet: invoke
    try {
      // get() waits until the handler has seen the last event.
      client.invokeModelWithResponseStream(request, responseStreamHandler).get();

      return completeResponseTextBuffer.toString();

      // snippet: handle the error
    } catch (ExecutionException | InterruptedException e) {
      // Service and stream errors both arrive as the cause of an ExecutionException.
      System.err.printf("Can't invoke '%s': %s", modelId, e.getCause().getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end
  public static void main(String[] args) throws ExecutionException, InterruptedException {
    invokeModelWithResponseStream();
  }
}
