# Sends one text prompt to Anthropic Claude in the model's own request format (InvokeModel).

import json

import boto3
from botocore.exceptions import ClientError

# snippet: create the client
# The Bedrock Runtime client; any Region that offers the model works.
client = boto3.client("bedrock-runtime", region_name="us-east-1")

# snippet: build the request
# Which model answers: here Claude 3 Haiku.
model_id = "anthropic.claude-3-haiku-20240307-v1:0"

# What the model is asked.
prompt = "Describe the purpose of a 'hello world' program in one line."

# Claude's Messages body: API version, output limit, sampling and the conversation.
native_request = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 512,
    "temperature": 0.5,
    "messages": [
        {
            "role": "user",
            "content": [{"type": "text", "text": prompt}],
        }
    ],
}

# InvokeModel takes the body as a JSON string.
request = json.dumps(native_request)

# snippet: invoke
try:
    # One request, one whole reply.
    response = client.invoke_model(modelId=model_id, body=request)

# snippet: handle the error
except (ClientError, Exception) as e:
    print(f"ERROR: Can't invoke '{model_id}'. Reason: {e}")
    exit(1)

# snippet: read the text
# The reply body is a stream of JSON bytes.
model_response = json.loads(response["body"].read())

# The answer is the first content block's text.
response_text = model_response["content"][0]["text"]
print(response_text)
