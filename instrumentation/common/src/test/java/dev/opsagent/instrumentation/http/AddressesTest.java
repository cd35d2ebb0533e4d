/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

  @Nested
  class HostAndPort {

    @ParameterizedTest(name = "{0} -> host {1}, port {2}")
    @CsvSource(
        delimiter = '|',
        value = {
          "example.com           | example.com  | -1",
          "example.com:8080      | example.com  | 8080",
          "example.com:1         | example.com  | 1",
          "example.com:65535     | example.com  | 65535",
          "192.0.2.1:443         | 192.0.2.1    | 443",
          "[::1]:8443            | ::1          | 8443",
          "[::1]                 | ::1          | -1",
          "::1                   | ::1          | -1",
          "2001:db8::17          | 2001:db8::17 | -1",
          "[2001:db8::17]:80     | 2001:db8::17 | 80",
          "host:abc              | host         | -1",
          "host:                 | host         | -1",
          "host:0                | host         | -1",
          "host:70000            | host         | -1",
          "host:65536            | host         | -1",
          "host:-1               | host         | -1",
          "[::1                  | ::1          | -1",
          "host:+8080            | host         | 8080",
          "host:0000080          | host         | 80",
          "host:+                | host         | -1",
          "host:99999999999      | host         | -1",
          "host:80x              | host         | -1",
        })
    void splitsHostAndPort(String hostAndPort, String host, int port) {
      assertThat(Addresses.hostOf(hostAndPort)).isEqualTo(host);
      assertThat(Addresses.portOf(hostAndPort)).isEqualTo(port);
    }
  }

  @Nested
  class Forwarded {

    @Test
    void nullGivesNull() {
      assertThat(Addresses.clientFromForwarded(null)).isNull();
    }

    @Test
    void readsForOfASingleElement() {
      assertThat(Addresses.clientFromForwarded("for=192.0.2.60;proto=http;by=203.0.113.43"))
          .isEqualTo("192.0.2.60");
    }

    @Test
    void forMayComeAfterOtherPairs() {
      assertThat(Addresses.clientFromForwarded("proto=https; by=203.0.113.43; for=192.0.2.60"))
          .isEqualTo("192.0.2.60");
    }

    @Test
    void quotedIpv6WithPortGivesTheBareAddress() {
      assertThat(Addresses.clientFromForwarded("for=\"[2001:db8:cafe::17]:4711\""))
          .isEqualTo("2001:db8:cafe::17");
    }

    @Test
    void ipv4WithPortGivesTheAddress() {
      assertThat(Addresses.clientFromForwarded("for=\"192.0.2.43:47011\"")).isEqualTo("192.0.2.43");
    }

    @Test
    void severalElementsGiveTheFirstClient() {
      assertThat(Addresses.clientFromForwarded("for=192.0.2.43, for=198.51.100.17;by=203.0.113.60"))
          .isEqualTo("192.0.2.43");
    }

    @Test
    void parameterNameIsCaseInsensitive() {
      assertThat(Addresses.clientFromForwarded("For=192.0.2.60")).isEqualTo("192.0.2.60");
      assertThat(Addresses.clientFromForwarded("FOR=192.0.2.60")).isEqualTo("192.0.2.60");
    }

    @Test
    void elementWithoutForGivesNull() {
      assertThat(Addresses.clientFromForwarded("proto=https;by=203.0.113.43")).isNull();
    }

    @Test
    void emptyForGivesNull() {
      assertThat(Addresses.clientFromForwarded("for=\"\"")).isNull();
      assertThat(Addresses.clientFromForwarded("for=;proto=http")).isNull();
    }

    @Test
    void emptyHeaderGivesNull() {
      assertThat(Addresses.clientFromForwarded("")).isNull();
    }

    @Test
    void parameterMerelyEndingInForIsNotFor() {
      assertThat(Addresses.clientFromForwarded("xfor=192.0.2.1;proto=http")).isNull();
    }
  }

  @Nested
  class XForwardedFor {

    @Test
    void nullGivesNull() {
      assertThat(Addresses.clientFromXForwardedFor(null)).isNull();
    }

    @Test
    void severalAddressesGiveTheFirst() {
      assertThat(Addresses.clientFromXForwardedFor("203.0.113.195, 70.41.3.18, 150.172.238.178"))
          .isEqualTo("203.0.113.195");
    }

    @Test
    void singleAddressIsTrimmed() {
      assertThat(Addresses.clientFromXForwardedFor("  203.0.113.195  ")).isEqualTo("203.0.113.195");
    }

    @Test
    void blankGivesNull() {
      assertThat(Addresses.clientFromXForwardedFor("")).isNull();
      assertThat(Addresses.clientFromXForwardedFor("   ")).isNull();
    }

    @Test
    void emptyFirstEntryGivesNull() {
      assertThat(Addresses.clientFromXForwardedFor(" , 70.41.3.18")).isNull();
    }

    @Test
    void portIsDropped() {
      assertThat(Addresses.clientFromXForwardedFor("203.0.113.195:443")).isEqualTo("203.0.113.195");
    }

    @Test
    void ipv6IsKeptWhole() {
      assertThat(
              Addresses.clientFromXForwardedFor("2001:db8:85a3:8d3:1319:8a2e:370:7348, 10.0.0.1"))
          .isEqualTo("2001:db8:85a3:8d3:1319:8a2e:370:7348");
    }

    @Test
    void bracketedIpv6WithPortGivesTheBareAddress() {
      assertThat(Addresses.clientFromXForwardedFor("[2001:db8::1]:443")).isEqualTo("2001:db8::1");
    }
  }
}
