/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WrkTest {

  /** A real report of wrk 4.1.0 (Debian), with the line run.sh's shell adds. */
  private static final String REPORT =
      String.join(
          "\n",
          "Running 10s test @ http://127.0.0.1:40211/hello",
          "  1 threads and 16 connections",
          "  Thread Stats   Avg      Stdev     Max   +/- Stdev",
          "    Latency   846.12us    1.93ms  40.03ms   95.87%",
          "    Req/Sec    22.51k     1.37k   24.62k    81.00%",
          "  Latency Distribution",
          "     50%  480.00us",
          "     75%  640.00us",
          "     90%    1.01ms",
          "     99%    7.78ms",
          "  224095 requests in 10.00s, 26.50MB read",
          "  Non-2xx or 3xx responses: 3",
          "  Socket errors: connect 0, read 2, write 0, timeout 1",
          "Requests/sec:  22408.93",
          "Transfer/sec:      2.65MB",
          "@cpu 4242 (sh) S 1 2 3 0 -1 4194304 100 0 1 0 0 0 310 95 20 0 1 0 2478985 3133440 389");

  @Test
  void readsThroughputLatencyErrorsAndCpu() {
    Wrk.Result result = Wrk.parse(REPORT);

    assertThat(result.requests()).isEqualTo(224095);
    assertThat(result.seconds()).isCloseTo(10.0, within(1e-9));
    assertThat(result.requestsPerSecond()).isCloseTo(22408.93, within(1e-9));
    assertThat(result.p50Millis()).isCloseTo(0.48, within(1e-9));
    assertThat(result.p90Millis()).isCloseTo(1.01, within(1e-9));
    assertThat(result.p99Millis()).isCloseTo(7.78, within(1e-9));
    assertThat(result.non2xx()).isEqualTo(3);
    assertThat(result.socketErrors()).isEqualTo(3);
    assertThat(result.cpuTicks()).isEqualTo(405);
  }

  @Test
  void latencyInSecondsAndNoErrorLines() {
    String report =
        String.join(
            "\n",
            "     50%    1.20s",
            "     99%    2.00m",
            "  10 requests in 1.00m, 1.00KB read",
            "Requests/sec:      0.17");

    Wrk.Result result = Wrk.parse(report);

    assertThat(result.p50Millis()).isCloseTo(1200, within(1e-9));
    assertThat(result.p99Millis()).isCloseTo(120_000, within(1e-9));
    assertThat(result.seconds()).isCloseTo(60, within(1e-9));
    assertThat(result.non2xx()).isZero();
    assertThat(result.socketErrors()).isZero();
    assertThat(result.cpuTicks()).isEqualTo(-1);
    assertThat(result.p90Millis()).isNaN();
  }

  @Test
  void refusesWhatIsNotAReport() {
    assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a wrk report");
  }
}
