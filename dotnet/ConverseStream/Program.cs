// Send one user message to Anthropic Claude with the ConverseStream API and print the answer as it arrives.

using System;
using System.Collections.Generic;
using System.Linq;
using Amazon;
using Amazon.BedrockRuntime;
using Amazon.BedrockRuntime.Model;

// snippet: create the client
// The Region decides where the call is signed for; the endpoint may still come from the environment.
var client = new AmazonBedrockRuntimeClient(RegionEndpoint.USEast1);

// snippet: build the request
// Claude 3 Haiku; any Claude model id that ConverseStream accepts works here.
var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

var userMessage = "Describe the purpose of a 'hello world' program in one line.";

// The same typed conversation as Converse; only the request class differs.
var request = new ConverseStreamRequest
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
    // The call returns once the stream opens; the events are read below.
    var response = await client.ConverseStreamAsync(request);

// snippet: read the text
    // Only content block deltas carry text; write each piece without a newline so the answer joins up.
    foreach (var chunk in response.Stream.AsEnumerable())
    {
        if (chunk is ContentBlockDeltaEvent)
        {
            Console.Write((chunk as ContentBlockDeltaEvent).Delta.Text);
        }
    }
}
// snippet: handle the error
catch (AmazonBedrockRuntimeException e)
{
    // Report the service's message, then let the exception end the program.
    Console.WriteLine($"ERROR: Can't invoke '{modelId}'. Reason: {e.Message}");
    throw;
}
