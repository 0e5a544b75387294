// The Rust start-up floor: start the async runtime, load the AWS configuration as the examples do, build the Bedrock
// Runtime client, print; no request.
use aws_config::BehaviorVersion;
use aws_sdk_bedrockruntime::Client;

#[tokio::main]
async fn main() {
    let sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .region("us-east-1")
        .load()
        .await;
    let _client = Client::new(&sdk_config);
    println!("floor");
}
