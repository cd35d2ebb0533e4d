/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP http/protobuf spans, written by {@link SpanRequestEncoder} and sent through the sender the
 * SDK's own exporter was built with (so endpoint, headers, compression, TLS, timeouts and retries
 * are the SDK's, configured as usual). Measured on this project's machine, the SDK's marshalers
 * cost about 4 µs of CPU per span on the exporter's threads, most of the agent's cost per request;
 * see benchmarks/README.md.
 */
final class OtlpProtobufSpanExporter implements SpanExporter {

  /**
   * Small, so that an idle application does not carry a large array; a busy one grows it once to
   * its batches' size (about 300 KB for 512 server spans) and keeps it.
   */
  private static final int INITIAL_CAPACITY = 16 * 1024;

  /** A buffer grown beyond this by unusually large spans is not kept for the next export. */
  private static final int MAX_KEPT_CAPACITY = 4 * 1024 * 1024;

  /** What of a refusing answer's body the debug log shows. */
  private static final int MAX_LOGGED_BODY = 1024;

  private static final Logger logger = LoggerFactory.getLogger(OtlpProtobufSpanExporter.class);

  private final SpanExporter sdkExporter;
  private final HttpSender sender;
  private final SpanRequestEncoder encoder = new SpanRequestEncoder();
  private final AtomicReference<ProtoWriter> spare = new AtomicReference<>();
  private final AtomicBoolean shutdown = new AtomicBoolean();

  /**
   * @param sdkExporter the SDK's exporter, which owns {@code sender}; only shut down through this
   */
  OtlpProtobufSpanExporter(SpanExporter sdkExporter, HttpSender sender) {
    this.sdkExporter = sdkExporter;
    this.sender = sender;
  }

  @Override
  public synchronized CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown.get()) {
      return CompletableResultCode.ofFailure();
    }
    // The previous export's buffer, unless that export is still being sent (it timed out for the
    // batch span processor but not yet for the sender).
    ProtoWriter buffer = spare.getAndSet(null);
    if (buffer == null) {
      buffer = new ProtoWriter(INITIAL_CAPACITY);
    }
    buffer.reset();
    try {
      encoder.encode(spans, buffer);
    } catch (RuntimeException e) {
      release(buffer);
      return CompletableResultCode.ofExceptionalFailure(e);
    }
    CompletableResultCode result = new CompletableResultCode();
    ProtoWriter sent = buffer;
    sender.send(
        new EncodedMessage(buffer),
        response -> {
          release(sent);
          int status = response.getStatusCode();
          if (status >= 200 && status < 300) {
            result.succeed();
          } else {
            if (logger.isDebugEnabled()) {
              logger.debug("spans export answered HTTP {}: {}", status, text(response));
            }
            result.failExceptionally(FailedExportException.httpFailedWithResponse(response));
          }
        },
        error -> {
          release(sent);
          result.failExceptionally(FailedExportException.httpFailedExceptionally(error));
        });
    return result;
  }

  /**
   * The answer's body as text, for the log: a collector explains a refusal there (a
   * google.rpc.Status message, or plain text). Cut short, control characters left out.
   */
  private static String text(HttpResponse response) {
    byte[] body = response.getResponseBody();
    if (body == null || body.length == 0) {
      return "(no body)";
    }
    String text = new String(body, 0, Math.min(body.length, MAX_LOGGED_BODY), UTF_8);
    return text.replaceAll("[\\p{Cntrl}\\x{FFFD}]+", " ").trim();
  }

  private void release(ProtoWriter buffer) {
    if (buffer.capacity() <= MAX_KEPT_CAPACITY) {
      spare.set(buffer);
    }
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdown.set(true);
    return sdkExporter.shutdown();
  }

  @Override
  public String toString() {
    return "OtlpProtobufSpanExporter{" + sdkExporter + "}";
  }

  /** A request body already written: the sender reads it in place, without a copy. */
  static final class EncodedMessage implements MessageWriter {

    private final ProtoWriter message;

    EncodedMessage(ProtoWriter message) {
      this.message = message;
    }

    byte[] array() {
      return message.array();
    }

    @Override
    public void writeMessage(OutputStream output) throws IOException {
      output.write(message.array(), 0, message.size());
    }

    @Override
    public int getContentLength() {
      return message.size();
    }
  }
}
