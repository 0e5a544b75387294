// Send one user message to Anthropic Claude with the Converse API and print the answer.

using System;
using System.Collections.Generic;
using Amazon;
using Amazon.BedrockRuntime;
using Amazon.BedrockRuntime.Model;

// snippet: create the client
// The Region decides where the call is signed for; the endpoint may still come from the environment.
var client = new AmazonBedrockRuntimeClient(RegionEndpoint.USEast1);

// snippet: build the request
// Claude 3 Haiku; any Claude model id that Converse accepts works here.
var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

var userMessage = "Describe the purpose of a 'hello world' program in one line.";

// Converse takes typed turns of content blocks, and inference settings under its own names.
var request = new ConverseRequest
{
    ModelId = modelId,
    Messages = new List<Message>
    {
        new Message
        {
            Role = ConversationRole.User,
            Content = new List<ContentBlock> { new ContentBlock { Text = userMessage } }
        }
    },
    InferenceConfig = new InferenceConfiguration()
    {
        MaxTokens = 512,
        Temperature = 0.5F,
        TopP = 0.9F
    }
};

// snippet: invoke
try
{
    // One round trip: the whole answer comes back in the response.
    var response = await client.ConverseAsync(request);

// snippet: read the text
    // The assistant's message holds the answer in its first content block.
    string responseText = response?.Output?.Message?.Content?[0]?.Text ?? "";
    Console.WriteLine(responseText);
}
// snippet: handle the error
catch (AmazonBedrockRuntimeException e)
{
    // Report the service's message, then let the exception end the program.
    Console.WriteLine($"ERROR: Can't invoke '{modelId}'. Reason: {e.Message}");
    throw;
}
