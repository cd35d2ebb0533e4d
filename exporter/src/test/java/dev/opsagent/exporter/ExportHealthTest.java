/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExportHealthTest {

  private static final String DESTINATION = "otlp http/protobuf http://localhost:4318/v1/traces";
  private static final String FIX = "check that an OTLP receiver listens there";

  private final ExportHealth health = new ExportHealth("spans", DESTINATION, FIX, null);

  /** The agent's log goes to System.err, read at each call: captured around every test. */
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  private PrintStream originalErr;

  @BeforeEach
  void captureStderr() {
    originalErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(originalErr);
  }

  private List<String> logLines() {
    return Arrays.stream(stderr.toString(StandardCharsets.UTF_8).split("\\R"))
        .filter(line -> !line.isEmpty())
        .collect(Collectors.toList());
  }

  private static CompletableResultCode connectionRefused() {
    return CompletableResultCode.ofExceptionalFailure(new ConnectException("Connection refused"));
  }

  @Test
  void startsWithNothingCounted() {
    assertThat(health.exported()).isZero();
    assertThat(health.failed()).isZero();
  }

  @Test
  void countsExportedItemsOfSuccessfulExports() {
    health.watch(CompletableResultCode.ofSuccess(), 3);
    health.watch(CompletableResultCode.ofSuccess(), 4);

    assertThat(health.exported()).isEqualTo(7);
    assertThat(health.failed()).isZero();
    assertThat(logLines()).isEmpty();
  }

  @Test
  void countsFailedItemsOfFailedExports() {
    health.watch(CompletableResultCode.ofFailure(), 2);
    health.watch(connectionRefused(), 5);

    assertThat(health.failed()).isEqualTo(7);
    assertThat(health.exported()).isZero();
  }

  @Test
  void countsBothKindsIndependently() {
    health.watch(CompletableResultCode.ofSuccess(), 10);
    health.watch(connectionRefused(), 3);
    health.watch(CompletableResultCode.ofSuccess(), 1);

    assertThat(health.exported()).isEqualTo(11);
    assertThat(health.failed()).isEqualTo(3);
  }

  @Test
  void returnsTheWatchedResult() {
    CompletableResultCode result = CompletableResultCode.ofSuccess();

    assertThat(health.watch(result, 1)).isSameAs(result);
  }

  @Test
  void countsAnExportOnlyWhenItCompletes() {
    CompletableResultCode pending = new CompletableResultCode();
    health.watch(pending, 6);

    assertThat(health.exported()).isZero();
    assertThat(health.failed()).isZero();

    pending.succeed();

    assertThat(health.exported()).isEqualTo(6);
  }

  @Test
  void firstFailureLogsOneWarningNamingDestinationCauseAndFix() {
    health.watch(connectionRefused(), 2);

    List<String> lines = logLines();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .startsWith("[opsagent] ")
        .contains(" WARN ExportHealth: ")
        .contains(
            "cannot export spans to "
                + DESTINATION
                + ": ConnectException Connection refused. 2 dropped so far; "
                + FIX);
  }

  @Test
  void failureWithoutCauseSaysTheReceiverRejectedTheExport() {
    health.watch(CompletableResultCode.ofFailure(), 1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains("cannot export spans to " + DESTINATION + ": the receiver rejected the export.");
  }

  @Test
  void failureCauseIncludesTheMessageOfItsCause() {
    health.watch(
        CompletableResultCode.ofExceptionalFailure(
            new IOException("Failed to export spans", new ConnectException("Connection refused"))),
        1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains(": IOException Failed to export spans (Connection refused).");
  }

  @Test
  void aFailedAnswerGivesTheReceiversStatus() {
    HttpResponse unavailable =
        new HttpResponse() {
          @Override
          public int getStatusCode() {
            return 503;
          }

          @Override
          public String getStatusMessage() {
            return "Service Unavailable";
          }

          @Override
          public byte[] getResponseBody() {
            return new byte[0];
          }
        };
    health.watch(
        CompletableResultCode.ofExceptionalFailure(
            FailedExportException.httpFailedWithResponse(unavailable)),
        1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains("cannot export spans to " + DESTINATION + ": the receiver answered HTTP 503.");
  }

  @Test
  void theSdksWrapperOfAFailureIsLeftOut() {
    health.watch(
        CompletableResultCode.ofExceptionalFailure(
            FailedExportException.httpFailedExceptionally(
                new ConnectException("cannot connect to localhost:4318 (connection refused)"))),
        1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains(
            ": ConnectException cannot connect to localhost:4318 (connection refused). 1 dropped");
  }

  @Test
  void furtherFailuresSoonAfterTheFirstAreNotLoggedAgain() {
    health.watch(connectionRefused(), 1);
    health.watch(connectionRefused(), 1);
    health.watch(connectionRefused(), 1);

    assertThat(logLines()).hasSize(1);
    assertThat(health.failed()).isEqualTo(3);
  }

  @Test
  void successAfterFailuresLogsThatItWorksAgainWithTheDroppedCount() {
    health.watch(connectionRefused(), 2);
    health.watch(connectionRefused(), 3);
    health.watch(CompletableResultCode.ofSuccess(), 4);

    List<String> lines = logLines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1))
        .contains(" INFO ExportHealth: ")
        .contains(
            "exporting spans to "
                + DESTINATION
                + " works again (5 spans were dropped while it failed)");
  }

  @Test
  void furtherSuccessesLogNothing() {
    health.watch(connectionRefused(), 1);
    health.watch(CompletableResultCode.ofSuccess(), 1);
    health.watch(CompletableResultCode.ofSuccess(), 1);

    assertThat(logLines()).hasSize(2);
  }

  @Test
  void aNewFailureAfterRecoveryIsLoggedAsAFirstFailureAgainCountingFromZero() {
    health.watch(connectionRefused(), 4);
    health.watch(CompletableResultCode.ofSuccess(), 1);
    health.watch(connectionRefused(), 1);

    List<String> lines = logLines();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).contains("cannot export spans to").contains(". 1 dropped so far;");
    assertThat(health.failed()).isEqualTo(5);
  }

  @Test
  void itemsDroppedFromAFullQueueAreCountedAndReportedOnceByTheNextExport() {
    health.dropped(3);
    health.dropped(2);

    assertThat(health.dropped()).isEqualTo(5);
    assertThat(logLines()).as("nothing logged where the items were dropped").isEmpty();

    health.watch(CompletableResultCode.ofSuccess(), 1);
    health.dropped(4);
    health.watch(CompletableResultCode.ofSuccess(), 1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains(" WARN ExportHealth: ")
        .contains(
            "5 spans dropped: the export queue was full, although exporting to "
                + DESTINATION
                + " works;")
        .contains("raise otel.bsp.max.queue.size");
    assertThat(health.dropped()).isEqualTo(9);
    assertThat(health.failed()).isZero();
  }

  @Test
  void itemsDroppedWhileExportFailsAreCountedInItsLines() {
    health.watch(connectionRefused(), 2);
    health.dropped(5);
    health.watch(connectionRefused(), 1);
    health.watch(CompletableResultCode.ofSuccess(), 1);
    // The queue drains after the failure: its drops are the failure's, and not reported again.
    health.dropped(1);
    health.watch(CompletableResultCode.ofSuccess(), 1);

    List<String> lines = logLines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains(". 2 dropped so far;");
    assertThat(lines.get(1)).contains("works again (8 spans were dropped while it failed)");
    assertThat(health.failed()).isEqualTo(3);
    assertThat(health.dropped()).isEqualTo(6);
  }

  @Test
  void anAnswerThatIsNotHttpIsSaidSoWithTheGarbageCutToOneShortLine() {
    String garbage = "\u0001\u00fe\n" + "x".repeat(300);
    health.watch(
        CompletableResultCode.ofExceptionalFailure(
            new ProtocolException("Invalid status line: \"" + garbage + "\"")),
        1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains(": the receiver's answer is not valid HTTP: Invalid status line: \"???xxx")
        .contains("xxx.... 1 dropped so far;")
        .hasSizeLessThan(400);
  }

  @Test
  void aCauseWhoseMessageQuotesItsOwnCauseSaysItOnce() {
    health.watch(
        CompletableResultCode.ofExceptionalFailure(
            new IOException(
                "java.io.IOException: FRAME_SIZE_ERROR: 16652047",
                new IOException("FRAME_SIZE_ERROR: 16652047"))),
        1);

    assertThat(logLines())
        .singleElement()
        .asString()
        .contains(": IOException java.io.IOException: FRAME_SIZE_ERROR: 16652047. 1 dropped");
  }
}
