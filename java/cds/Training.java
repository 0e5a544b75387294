// The training run behind the class-data sharing archive (target/app.jsa): it drives the SDK
// through what the examples do (both clients, all four operations, JSON, event streams) against a
// Bedrock Runtime answering from this process on 127.0.0.1, so that the JVM archives every class
// the examples load. It never leaves the machine: a client not set to that address is refused.
//
// Run from the java folder after `mvn package`, with the examples' own class path:
//   java -XX:ArchiveClassesAtExit=target/app.jsa -cp target/bedrockruntime-invoke-model.jar \
//     cds/Training.java

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.json.JSONObject;
import org.json.JSONPointer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;

public class Training {
  private static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
  private static final String TEXT = "training";
  private static final AtomicInteger ANSWERED = new AtomicInteger();
  // What AWS_ENDPOINT_URL_BEDROCK_RUNTIME sets for the examples.
  private static final String ENDPOINT_PROPERTY = "aws.endpointUrlBedrockRuntime";

  public static void main(String[] args) throws Exception {
    // Credentials the way the examples find them: the default chain, and a default profile.
    Path home = Files.createTempDirectory("bedrock-cds-");
    Path credentials = home.resolve("credentials");
    Files.writeString(
        credentials, "[default]\naws_access_key_id = AKIDTRAINING\naws_secret_access_key = x\n");
    Path config = home.resolve("config");
    Files.writeString(config, "[default]\nregion = us-east-1\n");
    System.setProperty("aws.accessKeyId", "AKIDTRAINING");
    System.setProperty("aws.secretAccessKey", "x");
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.configFile", config.toString());
    // Whatever profile the caller's environment names, this run reads its own.
    System.setProperty("aws.profile", "default");

    // The synchronous client speaks HTTP/1.1; the asynchronous one cleartext HTTP/2 with prior
    // knowledge, as it does with the stub.
    var loopback = InetAddress.getLoopbackAddress();
    HttpServer http1 = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    http1.createContext("/", Training::answerHttp1);
    http1.start();
    var group = new NioEventLoopGroup(1);
    Channel http2 =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel connection) {
                    connection
                        .pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer().build(),
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Channel>() {
                                  @Override
                                  protected void initChannel(Channel stream) {
                                    stream.pipeline().addLast(new Http2Answer());
                                  }
                                }));
                  }
                })
            .bind(loopback, 0)
            .sync()
            .channel();
    int calls = 0;
    try {
      var syncEndpoint = URI.create("http://127.0.0.1:" + http1.getAddress().getPort());
      var port = ((InetSocketAddress) http2.localAddress()).getPort();
      var asyncEndpoint = URI.create("http://127.0.0.1:" + port);
      calls += sync(syncEndpoint, DefaultCredentialsProvider.create());
      calls += async(asyncEndpoint, DefaultCredentialsProvider.create());
      calls += async(asyncEndpoint, ProfileCredentialsProvider.create());
    } finally {
      http1.stop(0);
      http2.close().sync();
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
      Files.delete(credentials);
      Files.delete(config);
      Files.delete(home);
    }
    // Every call must have reached this process's endpoint, or the archive misses their classes.
    if (ANSWERED.get() != calls) {
      throw new IllegalStateException(ANSWERED.get() + " of " + calls + " calls were answered");
    }
    System.out.println("trained on " + calls + " calls");
  }

  // The endpoint reaches the client the way it reaches the examples, through the SDK's own setting
  // (here its system property); a client that would not use it is refused before it sends anything.
  private static <T extends SdkClient> T local(T client, URI endpoint) {
    var used = client.serviceClientConfiguration().endpointOverride();
    if (!used.equals(Optional.of(endpoint))) {
      client.close();
      throw new IllegalStateException("the client would not call " + endpoint + " but " + used);
    }
    return client;
  }

  private static int sync(URI endpoint, AwsCredentialsProvider credentials) {
    System.setProperty(ENDPOINT_PROPERTY, endpoint.toString());
    var client =
        local(
            BedrockRuntimeClient.builder()
                .credentialsProvider(credentials)
                .region(Region.US_EAST_1)
                .build(),
            endpoint);
    var response =
        client.invokeModel(
            request -> request.body(SdkBytes.fromUtf8String(messagesBody())).modelId(MODEL));
    var body = new JSONObject(response.body().asUtf8String());
    expect(new JSONPointer("/content/0/text").queryFrom(body).toString());
    var converse =
        client.converse(
            request ->
                request
                    .modelId(MODEL)
                    .messages(userMessage())
                    .additionalModelRequestFields(reasoningConfig())
                    .inferenceConfig(config -> config.maxTokens(512).temperature(0.5F).topP(0.9F)));
    expect(textOf(converse));
    // An error reply, so that the error paths' classes are archived too.
    try {
      client.invokeModel(
          request -> request.body(SdkBytes.fromUtf8String(messagesBody())).modelId("denied"));
      throw new IllegalStateException("the error reply did not raise");
    } catch (BedrockRuntimeException expected) {
      expected.getMessage();
    }
    client.close();
    return 3;
  }

  private static int async(URI endpoint, AwsCredentialsProvider credentials) throws Exception {
    System.setProperty(ENDPOINT_PROPERTY, endpoint.toString());
    var client =
        local(
            BedrockRuntimeAsyncClient.builder()
                .credentialsProvider(credentials)
                .region(Region.US_EAST_1)
                .build(),
            endpoint);
    var converse =
        client
            .converse(
                request ->
                    request
                        .modelId(MODEL)
                        .messages(userMessage())
                        .additionalModelRequestFields(reasoningConfig()))
            .get();
    expect(textOf(converse));

    var streamed = new StringBuilder();
    var converseHandler =
        ConverseStreamResponseHandler.builder()
            .subscriber(
                ConverseStreamResponseHandler.Visitor.builder()
                    .onContentBlockDelta(
                        chunk -> {
                          // A reasoning piece has no text; the answer's pieces do.
                          if (chunk.delta().reasoningContent() == null) {
                            streamed.append(chunk.delta().text());
                          }
                        })
                    .build())
            .onError(error -> streamed.append(error.getMessage()))
            .build();
    client
        .converseStream(
            request ->
                request
                    .modelId(MODEL)
                    .messages(userMessage())
                    .additionalModelRequestFields(reasoningConfig()),
            converseHandler)
        .get();
    expect(streamed.toString());

    var chunks = new StringBuilder();
    var visitor =
        InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
            .onChunk(
                chunk -> {
                  var event = new JSONObject(chunk.bytes().asUtf8String());
                  if ("content_block_delta".equals(event.getString("type"))) {
                    chunks.append(event.getJSONObject("delta").optString("text"));
                  }
                })
            .build();
    var invokeHandler =
        InvokeModelWithResponseStreamResponseHandler.builder()
            .onEventStream(stream -> stream.subscribe(event -> event.accept(visitor)))
            .onError(error -> chunks.append(error.getMessage()))
            .build();
    var request =
        InvokeModelWithResponseStreamRequest.builder()
            .body(SdkBytes.fromUtf8String(messagesBody()))
            .modelId(MODEL)
            .build();
    client.invokeModelWithResponseStream(request, invokeHandler).join();
    expect(chunks.toString());
    client.close();
    return 3;
  }

  private static software.amazon.awssdk.services.bedrockruntime.model.Message userMessage() {
    return software.amazon.awssdk.services.bedrockruntime.model.Message.builder()
        .content(ContentBlock.fromText("Say something."))
        .role(ConversationRole.USER)
        .build();
  }

  // What the reasoning examples pass Claude besides the messages.
  private static Document reasoningConfig() {
    return Document.mapBuilder()
        .putDocument(
            "thinking",
            Document.mapBuilder()
                .putString("type", "enabled")
                .putNumber("budget_tokens", 2000)
                .build())
        .build();
  }

  private static String textOf(ConverseResponse converse) {
    var blocks = converse.output().message().content();
    var reasoning = blocks.get(0).reasoningContent().reasoningText().text();
    return reasoning.isEmpty() ? "" : blocks.get(1).text();
  }

  private static String messagesBody() {
    return new JSONObject()
        .put("anthropic_version", "bedrock-2023-05-31")
        .put("max_tokens", 512)
        .append("messages", new JSONObject().put("role", "user").put("content", "Say something."))
        .toString();
  }

  private static void expect(String text) {
    if (!TEXT.equals(text)) {
      throw new IllegalStateException("unexpected reply: " + text);
    }
  }

  private record Reply(int status, String type, String errorType, byte[] body) {}

  private static void answerHttp1(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    Reply reply = reply(exchange.getRequestURI().getPath());
    exchange.getResponseHeaders().add("Content-Type", reply.type());
    if (reply.errorType() != null) {
      exchange.getResponseHeaders().add("x-amzn-ErrorType", reply.errorType());
    }
    exchange.sendResponseHeaders(reply.status(), reply.body().length);
    exchange.getResponseBody().write(reply.body());
    exchange.close();
  }

  // One HTTP/2 stream: the reply goes out once the request has ended.
  private static final class Http2Answer extends ChannelInboundHandlerAdapter {
    private String path = "";

    @Override
    public void channelRead(ChannelHandlerContext context, Object frame) throws IOException {
      boolean ended = false;
      if (frame instanceof Http2HeadersFrame headers) {
        path = String.valueOf(headers.headers().path());
        ended = headers.isEndStream();
      } else if (frame instanceof Http2DataFrame data) {
        ended = data.isEndStream();
      }
      ReferenceCountUtil.release(frame);
      if (!ended) {
        return;
      }
      Reply reply = reply(path);
      var headers =
          new DefaultHttp2Headers()
              .status(String.valueOf(reply.status()))
              .add("content-type", reply.type());
      if (reply.errorType() != null) {
        headers.add("x-amzn-errortype", reply.errorType());
      }
      context.write(new DefaultHttp2HeadersFrame(headers));
      context.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(reply.body()), true));
    }
  }

  // Answers each operation the way Bedrock Runtime shapes its replies, always with TEXT.
  private static Reply reply(String path) throws IOException {
    byte[] body;
    String errorType = null;
    int status = 200;
    String type = "application/json";
    if (path.startsWith("/model/denied/")) {
      status = 403;
      errorType = "AccessDeniedException";
      body = bytes(new JSONObject().put("message", "denied during training").toString());
    } else if (path.endsWith("/invoke")) {
      body = bytes(claudeMessage().toString());
    } else if (path.endsWith("/converse")) {
      body = bytes(converseReply().toString());
    } else if (path.endsWith("/converse-stream")) {
      type = "application/vnd.amazon.eventstream";
      body =
          events(
              List.of(
                  event("messageStart", new JSONObject().put("role", "assistant")),
                  event(
                      "contentBlockDelta",
                      new JSONObject()
                          .put("contentBlockIndex", 0)
                          .put(
                              "delta",
                              new JSONObject()
                                  .put("reasoningContent", new JSONObject().put("text", "hmm")))),
                  event("contentBlockStop", new JSONObject().put("contentBlockIndex", 0)),
                  event(
                      "contentBlockDelta",
                      new JSONObject()
                          .put("contentBlockIndex", 1)
                          .put("delta", new JSONObject().put("text", TEXT))),
                  event("contentBlockStop", new JSONObject().put("contentBlockIndex", 1)),
                  event("messageStop", new JSONObject().put("stopReason", "end_turn")),
                  event(
                      "metadata",
                      new JSONObject()
                          .put("usage", usage())
                          .put("metrics", new JSONObject().put("latencyMs", 1)))));
    } else if (path.endsWith("/invoke-with-response-stream")) {
      type = "application/vnd.amazon.eventstream";
      body =
          events(
              List.of(
                  chunk(
                      new JSONObject()
                          .put("type", "message_start")
                          .put("message", claudeMessage())),
                  chunk(
                      new JSONObject()
                          .put("type", "content_block_delta")
                          .put("index", 0)
                          .put(
                              "delta",
                              new JSONObject().put("type", "text_delta").put("text", TEXT))),
                  chunk(new JSONObject().put("type", "message_stop"))));
    } else {
      status = 404;
      body = bytes(new JSONObject().put("message", "no such operation").toString());
    }
    ANSWERED.incrementAndGet();
    return new Reply(status, type, errorType, body);
  }

  private static JSONObject claudeMessage() {
    return new JSONObject()
        .put("id", "msg_training")
        .put("type", "message")
        .put("role", "assistant")
        .put("model", "claude-3-haiku-20240307")
        .append("content", new JSONObject().put("type", "text").put("text", TEXT))
        .put("stop_reason", "end_turn")
        .put("usage", new JSONObject().put("input_tokens", 1).put("output_tokens", 1));
  }

  private static JSONObject converseReply() {
    var reasoning =
        new JSONObject()
            .put("reasoningText", new JSONObject().put("text", "hmm").put("signature", "training"));
    var message =
        new JSONObject()
            .put("role", "assistant")
            .append("content", new JSONObject().put("reasoningContent", reasoning))
            .append("content", new JSONObject().put("text", TEXT));
    return new JSONObject()
        .put("output", new JSONObject().put("message", message))
        .put("stopReason", "end_turn")
        .put("usage", usage())
        .put("metrics", new JSONObject().put("latencyMs", 1));
  }

  private static JSONObject usage() {
    return new JSONObject().put("inputTokens", 1).put("outputTokens", 1).put("totalTokens", 2);
  }

  private static Message chunk(JSONObject claudeEvent) {
    var encoded = Base64.getEncoder().encodeToString(bytes(claudeEvent.toString()));
    return event("chunk", new JSONObject().put("bytes", encoded));
  }

  private static Message event(String name, JSONObject payload) {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":event-type", HeaderValue.fromString(name));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("event"));
    return new Message(headers, bytes(payload.toString()));
  }

  private static byte[] events(List<Message> messages) throws IOException {
    var out = new ByteArrayOutputStream();
    for (Message message : messages) {
      message.encode(out);
    }
    return out.toByteArray();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
