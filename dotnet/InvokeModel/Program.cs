// Sends one text prompt to Anthropic Claude in the model's own request format (InvokeModel).

using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.BedrockRuntime;
using Amazon.BedrockRuntime.Model;

// snippet: create the client
// The Bedrock Runtime client, bound to one Region.
var client = new AmazonBedrockRuntimeClient(RegionEndpoint.USEast1);

// snippet: build the request
// Which model answers: here Claude 3 Haiku.
var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

// What the model is asked.
var userMessage = "Describe the purpose of a 'hello world' program in one line.";

//Claude's Messages body: API version, output limit, sampling and the conversation.
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

// The request carries the model id and the JSON body as a stream.
var request = new InvokeModelRequest()
{
    ModelId = modelId,
    Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(nativeRequest)),
    ContentType = "application/json"
};

// snippet: invoke
try
{
    // One request, one whole reply.
    var response = await client.InvokeModelAsync(request);

// snippet: read the text
    // The reply body is JSON.
    var modelResponse = await JsonNode.ParseAsync(response.Body);

    // The answer is the first content block's text.
    var responseText = modelResponse["content"]?[0]?["text"] ?? "";
    Console.WriteLine(responseText);
}
// snippet: handle the error
catch (AmazonBedrockRuntimeException e)
{
    Console.WriteLine($"ERROR: Can't invoke '{modelId}'. Reason: {e.Message}");
    throw;
}
