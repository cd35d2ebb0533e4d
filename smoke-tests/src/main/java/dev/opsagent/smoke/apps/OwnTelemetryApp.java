package dev.opsagent.smoke.apps;

import static java.nio.charset.StandardCharsets.UTF_8;
import static net.bytebuddy.matcher.ElementMatchers.named;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;

/**
 * An application that ships its own OpenTelemetry SDK and its own Byte Buddy, as many real ones do.
 * An agent must leave both alone: the application's tracer must see only the application's spans,
 * and the agent's spans must not leak into the application's exporter (nor the reverse).
 *
 * <p>At start it registers its own {@link OpenTelemetrySdk} globally (a {@link SimpleSpanProcessor}
 * feeding an in-memory exporter) and defines a class at run time with its own Byte Buddy. It then
 * serves on {@code 127.0.0.1} (a free port, printed as {@code READY port=<p>}):
 *
 * <ul>
 *   <li>{@code /own}: starts and ends a span named {@value #OWN_SPAN} with the application's own
 *       tracer, and answers 200 with the {@code toString()} of the Byte Buddy-made object;
 *   <li>{@code /own-spans}: answers 200 with the names of the spans the application's exporter has
 *       received, one per line, followed by lines starting with {@code #} that give the versions of
 *       the application's libraries ({@code # byte-buddy <version>}, {@code # opentelemetry
 *       <version>}).
 * </ul>
 */
public final class OwnTelemetryApp {

  static final String OWN_SPAN = "app-own-span";
  static final String BYTE_BUDDY_TEXT = "made by the app's byte buddy";

  private OwnTelemetryApp() {}

  public static void main(String[] args) throws Exception {
    InMemorySpanExporter exporter = new InMemorySpanExporter();
    OpenTelemetrySdk openTelemetry =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build();
    GlobalOpenTelemetry.set(openTelemetry);
    Tracer tracer = GlobalOpenTelemetry.getTracer("own-telemetry-app");

    String madeByByteBuddy =
        new ByteBuddy()
            .subclass(Object.class)
            .method(named("toString"))
            .intercept(FixedValue.value(BYTE_BUDDY_TEXT))
            .make()
            .load(OwnTelemetryApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
            .getLoaded()
            .getDeclaredConstructor()
            .newInstance()
            .toString();

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/own",
        exchange -> {
          Span span = tracer.spanBuilder(OWN_SPAN).startSpan();
          span.end();
          respond(exchange, madeByByteBuddy);
        });
    server.createContext(
        "/own-spans",
        exchange -> {
          StringBuilder body = new StringBuilder();
          exporter.spanNames().forEach(name -> body.append(name).append('\n'));
          body.append("# byte-buddy ").append(byteBuddyVersion()).append('\n');
          body.append("# opentelemetry ").append(openTelemetryVersion()).append('\n');
          respond(exchange, body.toString());
        });
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(openTelemetry::close, "app-otel-shutdown"));

    System.out.println("READY port=" + server.getAddress().getPort());
  }

  /** The version in the Maven metadata of the jar that {@code ByteBuddy} was loaded from. */
  private static String byteBuddyVersion() {
    try {
      Path jar =
          Path.of(ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      try (JarFile jarFile = new JarFile(jar.toFile())) {
        JarEntry entry =
            jarFile.getJarEntry("META-INF/maven/net.bytebuddy/byte-buddy/pom.properties");
        if (entry != null) {
          Properties properties = new Properties();
          try (InputStream in = jarFile.getInputStream(entry)) {
            properties.load(in);
          }
          return properties.getProperty("version", "unknown");
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // Not from a jar, or not readable: fall through to the manifest.
    }
    return Optional.ofNullable(ByteBuddy.class.getPackage().getImplementationVersion())
        .orElse("unknown");
  }

  private static String openTelemetryVersion() {
    return Optional.ofNullable(
            Resource.getDefault().getAttribute(AttributeKey.stringKey("telemetry.sdk.version")))
        .orElse("unknown");
  }

  private static void respond(HttpExchange exchange, String body) throws IOException {
    try (exchange) {
      try (InputStream request = exchange.getRequestBody()) {
        request.transferTo(OutputStream.nullOutputStream());
      }
      byte[] bytes = body.getBytes(UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  /** Keeps the names of the spans it is given, as a test double in an application would. */
  private static final class InMemorySpanExporter implements SpanExporter {

    private final List<String> names = new CopyOnWriteArrayList<>();

    List<String> spanNames() {
      return List.copyOf(names);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      spans.forEach(span -> names.add(span.getName()));
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
