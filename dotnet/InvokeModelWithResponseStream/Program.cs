// Send Anthropic Claude a Messages API body with InvokeModelWithResponseStream and print the answer as it arrives.

using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.BedrockRuntime;
using Amazon.BedrockRuntime.Model;

// snippet: create the client
// The Region decides where the call is signed for; the endpoint may still come from the environment.
var client = new AmazonBedrockRuntimeClient(RegionEndpoint.USEast1);

// snippet: build the request
// Claude 3 Haiku; the body below is Anthropic's Messages API format.
var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

var userMessage = "Describe the purpose of a 'hello world' program in one line.";

// An anonymous object serialises to the native body with the field names the model expects.
var nativeRequest = JsonSerializer.Serialize(new
{
    anthropic_version = "bedrock-2023-05-31",
    max_tokens = 512,
    temperature = 0.5,
    messages = new[]
    {
        new { role = "user", content = userMessage }
    }
});

// The SDK sends the body as a stream of bytes, unchanged.
var request = new InvokeModelWithResponseStreamRequest()
{
    ModelId = modelId,
    Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(nativeRequest)),
    ContentType = "application/json"
};

// snippet: invoke
try
{
    // The call returns once the stream opens; the events are read below.
    var streamingResponse = await client.InvokeModelWithResponseStreamAsync(request);

// snippet: read the text
    // Each payload part is one of the model's own events as JSON; events without delta.text add nothing.
    foreach (var item in streamingResponse.Body)
    {
        var chunk = JsonSerializer.Deserialize<JsonObject>((item as PayloadPart).Bytes);
        var text = chunk["delta"]?["text"] ?? "";
        Console.Write(text);
    }
}
// snippet: handle the error
catch (AmazonBedrockRuntimeException e)
{
    // Report the service's message, then let the exception end the program.
    Console.WriteLine($"ERROR: Can't invoke '{modelId}'. Reason: {e.Message}");
    throw;
}
