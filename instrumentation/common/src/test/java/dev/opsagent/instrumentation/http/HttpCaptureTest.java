/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.config.Config;
import dev.opsagent.instrumentation.http.HttpCapture.CapturedHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpCaptureTest {

  private static final String REQUEST_HEADERS =
      "otel.instrumentation.http.server.capture-request-headers";
  private static final String RESPONSE_HEADERS =
      "otel.instrumentation.http.server.capture-response-headers";

  /** A config from system properties only, given as key, value, key, value... */
  private static Config config(String... keyValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      properties.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return Config.create(null, properties, Collections.emptyMap());
  }

  private static HttpCapture capture(String... keyValues) {
    return HttpCapture.from(config(keyValues));
  }

  @Nested
  class Query {

    private final HttpCapture defaults = capture();

    @Test
    void nullStaysNull() {
      assertThat(defaults.query(null)).isNull();
    }

    @Test
    void emptyStaysEmpty() {
      assertThat(defaults.query("")).isEmpty();
    }

    @Test
    void queryWithoutSensitiveParametersIsReturnedAsTheSameInstance() {
      String query = "page=2&size=50&sort=name";

      assertThat(defaults.query(query)).isSameAs(query);
    }

    @Test
    void sensitiveValueIsReplaced() {
      assertThat(defaults.query("password=x")).isEqualTo("password=REDACTED");
    }

    @Test
    void parameterNamesAreMatchedIgnoringCaseAndKeptAsWritten() {
      assertThat(defaults.query("PassWord=hunter2&Access_Token=abc"))
          .isEqualTo("PassWord=REDACTED&Access_Token=REDACTED");
    }

    @Test
    void onlySensitiveParametersAmongSeveralAreRedacted() {
      assertThat(defaults.query("a=1&password=x&b=2&token=y&c=3"))
          .isEqualTo("a=1&password=REDACTED&b=2&token=REDACTED&c=3");
    }

    @Test
    void sensitiveParameterFirstOrLast() {
      assertThat(defaults.query("token=y&page=1")).isEqualTo("token=REDACTED&page=1");
      assertThat(defaults.query("page=1&token=y")).isEqualTo("page=1&token=REDACTED");
    }

    @Test
    void valueContainingEqualsSignsIsRedactedWhole() {
      assertThat(defaults.query("sig=abc==&x=1")).isEqualTo("sig=REDACTED&x=1");
    }

    @Test
    void sensitiveNameWithoutEqualsIsLeftAlone() {
      String query = "token";

      assertThat(defaults.query(query)).isSameAs(query);
      assertThat(defaults.query("token&page=1")).isEqualTo("token&page=1");
    }

    @Test
    void sensitiveNameWithEmptyValueGetsTheRedactedValue() {
      assertThat(defaults.query("token=")).isEqualTo("token=REDACTED");
      assertThat(defaults.query("token=&page=1")).isEqualTo("token=REDACTED&page=1");
    }

    @Test
    void trailingAmpersandIsKept() {
      assertThat(defaults.query("password=x&")).isEqualTo("password=REDACTED&");
    }

    @Test
    void emptyPartsBetweenAmpersandsAreKept() {
      assertThat(defaults.query("a=1&&password=x")).isEqualTo("a=1&&password=REDACTED");
      assertThat(defaults.query("&password=x")).isEqualTo("&password=REDACTED");
    }

    @Test
    void repeatedSensitiveParameterIsRedactedEveryTime() {
      assertThat(defaults.query("token=a&token=b")).isEqualTo("token=REDACTED&token=REDACTED");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "password",
          "passwd",
          "pwd",
          "token",
          "access_token",
          "refresh_token",
          "secret",
          "client_secret",
          "api_key",
          "apikey",
          "sig",
          "signature",
          "AWSAccessKeyId",
          "X-Goog-Signature",
          "X-Amz-Signature",
          "X-Amz-Credential",
          "X-Amz-Security-Token"
        })
    void everyDefaultSensitiveParameterIsRedacted(String name) {
      assertThat(defaults.query("a=1&" + name + "=v")).isEqualTo("a=1&" + name + "=REDACTED");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "mytoken",
          "token_type",
          "password2",
          "x-token",
          "signed",
          "pass%7word",
          "pass%",
          "password%",
          "pass%2577ord",
          "%zzpassword"
        })
    void namesThatOnlyContainOrDoNotDecodeToASensitiveNameAreNotRedacted(String name) {
      String query = name + "=v";

      assertThat(defaults.query(query)).isSameAs(query);
    }

    @Test
    void configuredExtraNamesAreRedactedIgnoringCase() {
      HttpCapture capture = capture("opsagent.capture.redact-query-parameters", "Session, otp");

      assertThat(capture.query("session=abc&OTP=123&page=1&password=x"))
          .isEqualTo("session=REDACTED&OTP=REDACTED&page=1&password=REDACTED");
    }

    @Test
    void configuredExtraNamesAddToTheDefaults() {
      HttpCapture capture = capture("opsagent.capture.redact-query-parameters", "session");

      assertThat(capture.query("token=x")).isEqualTo("token=REDACTED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pass%77ord", "PASS%57ORD", "%70assword", "api%5Fkey", "%73%69%67"})
    void percentEncodedNamesAreDecodedBeforeTheyAreCompared(String name) {
      assertThat(defaults.query("a=1&" + name + "=hunter2&b=2"))
          .isEqualTo("a=1&" + name + "=REDACTED&b=2");
    }

    @Test
    void semicolonsSeparateParametersToo() {
      assertThat(defaults.query("a=1;password=x;b=2&token=y"))
          .isEqualTo("a=1;password=REDACTED;b=2&token=REDACTED");
    }

    @Test
    void parameterWithoutEqualsBeforeASensitiveOneChangesNothing() {
      assertThat(defaults.query("password&token=y&secret"))
          .isEqualTo("password&token=REDACTED&secret");
    }

    @Test
    void longQueryIsCutToTheDefault2048Characters() {
      String query = "q=" + repeat('x', 3000);

      assertThat(defaults.query(query)).isEqualTo(query.substring(0, 2048));
    }

    @Test
    void queryIsRedactedBeforeItIsCutSoNoPartOfASecretIsKept() {
      HttpCapture capture = capture("opsagent.capture.url-max-length", "20");

      assertThat(capture.query("a=1&password=" + repeat('s', 50) + "&b=2"))
          .isEqualTo("a=1&password=REDACTE");
      assertThat(capture.query("a=1&b=2&c=3&d=4&e=5&password=hunter2"))
          .isEqualTo("a=1&b=2&c=3&d=4&e=5&");
    }

    @Test
    void sensitiveParameterAfterTheCutIsNeitherRedactedNorKept() {
      HttpCapture capture = capture("opsagent.capture.url-max-length", "10");
      String query = "a=12345678&password=hunter2";

      assertThat(capture.query(query)).isEqualTo("a=12345678");
    }

    @Test
    void manyParametersWithoutEqualsAreReadInLinearTime() {
      // One pass: looking for '=' beyond each parameter's end made this quadratic (seconds).
      String query = repeat('a', 1) + repeat('&', 200_000);

      assertThat(capture("opsagent.capture.url-max-length", "1000000").query(query))
          .isSameAs(query);
    }

    @Test
    void cutNeverSplitsASurrogatePair() {
      HttpCapture capture = capture("opsagent.capture.url-max-length", "4");

      assertThat(capture.query("ab\uD83D\uDE00cd")).isEqualTo("ab\uD83D\uDE00");
      assertThat(capture.query("abc\uD83D\uDE00d")).isEqualTo("abc");
    }
  }

  @Nested
  class Path {

    @Test
    void pathIsKeptAsReceived() {
      String path = "/users/42/%FF%FE";

      assertThat(capture().path(path)).isSameAs(path);
    }

    @Test
    void longPathIsCutToTheConfiguredMaximumLength() {
      assertThat(capture().path("/" + repeat('p', 5000))).hasSize(2048);
      assertThat(capture("opsagent.capture.url-max-length", "8").path("/users/42/orders"))
          .isEqualTo("/users/4");
    }

    @Test
    void nullStaysNull() {
      assertThat(capture().path(null)).isNull();
    }
  }

  @Nested
  class SensitiveHeaders {

    @ParameterizedTest
    @ValueSource(strings = {"authorization", "cookie", "set-cookie", "proxy-authorization"})
    void defaultSensitiveHeadersAreSensitiveWithoutConfiguration(String name) {
      assertThat(HttpCapture.isSensitive(name, Collections.emptyList())).isTrue();
    }

    @Test
    void otherHeadersAreNotSensitiveByDefault() {
      assertThat(HttpCapture.isSensitive("x-request-id", Collections.emptyList())).isFalse();
      assertThat(HttpCapture.isSensitive("authorization-hint", Collections.emptyList())).isFalse();
    }

    @Test
    void prefixGlobMatchesAnyEnding() {
      List<Pattern> redact = Collections.singletonList(HttpCapture.globPattern("x-secret-*"));

      assertThat(HttpCapture.isSensitive("x-secret-key", redact)).isTrue();
      assertThat(HttpCapture.isSensitive("x-secret-", redact)).isTrue();
      assertThat(HttpCapture.isSensitive("x-secretkey", redact)).isFalse();
      assertThat(HttpCapture.isSensitive("my-x-secret-key", redact)).isFalse();
    }

    @Test
    void suffixGlobMatchesAnyBeginning() {
      List<Pattern> redact = Collections.singletonList(HttpCapture.globPattern("*-token"));

      assertThat(HttpCapture.isSensitive("x-auth-token", redact)).isTrue();
      assertThat(HttpCapture.isSensitive("x-auth-token-id", redact)).isFalse();
      assertThat(HttpCapture.isSensitive("token", redact)).isFalse();
    }

    @Test
    void globIsLowerCasedSoItMatchesLowerCaseNames() {
      Pattern pattern = HttpCapture.globPattern("X-Secret-*");

      assertThat(pattern.matcher("x-secret-key").matches()).isTrue();
    }

    @Test
    void globWithoutStarMatchesExactlyThatName() {
      Pattern pattern = HttpCapture.globPattern("x-api-key");

      assertThat(pattern.matcher("x-api-key").matches()).isTrue();
      assertThat(pattern.matcher("x-api-keys").matches()).isFalse();
    }

    @Test
    void globTreatsRegexCharactersLiterally() {
      Pattern pattern = HttpCapture.globPattern("x.a+b");

      assertThat(pattern.matcher("x.a+b").matches()).isTrue();
      assertThat(pattern.matcher("xzaab").matches()).isFalse();
    }

    @Test
    void starAloneMatchesEveryName() {
      assertThat(HttpCapture.globPattern("*").matcher("anything-at-all").matches()).isTrue();
    }

    @Test
    void starInTheMiddleMatchesAnyRun() {
      Pattern pattern = HttpCapture.globPattern("x-*-key");

      assertThat(pattern.matcher("x-tenant-key").matches()).isTrue();
      assertThat(pattern.matcher("x--key").matches()).isTrue();
      assertThat(pattern.matcher("x-tenant-id").matches()).isFalse();
    }
  }

  @Nested
  class ConfiguredHeaders {

    @Test
    void noHeadersAreCapturedByDefault() {
      HttpCapture capture = capture();

      assertThat(capture.requestHeaders()).isEmpty();
      assertThat(capture.responseHeaders()).isEmpty();
    }

    @Test
    void requestHeaderNamesAreLowerCasedWithRequestAttributeKeys() {
      HttpCapture capture = capture(REQUEST_HEADERS, "X-Request-Id, X-Tenant");

      assertThat(capture.requestHeaders())
          .extracting(h -> h.name)
          .containsExactly("x-request-id", "x-tenant");
      assertThat(capture.requestHeaders())
          .extracting(h -> h.key.getKey())
          .containsExactly("http.request.header.x-request-id", "http.request.header.x-tenant");
      assertThat(capture.responseHeaders()).isEmpty();
    }

    @Test
    void responseHeadersGetResponseAttributeKeys() {
      HttpCapture capture = capture(RESPONSE_HEADERS, "Content-Type");

      assertThat(capture.responseHeaders())
          .extracting(h -> h.key.getKey())
          .containsExactly("http.response.header.content-type");
    }

    @Test
    void attributeKeysAreStringArrays() {
      HttpCapture capture = capture(REQUEST_HEADERS, "x-request-id");

      assertThat(capture.requestHeaders().get(0).key.getType())
          .isEqualTo(io.opentelemetry.api.common.AttributeType.STRING_ARRAY);
    }

    @Test
    void defaultSensitiveHeadersAreMarkedSensitiveWhateverTheirCase() {
      HttpCapture capture = capture(REQUEST_HEADERS, "Authorization,Cookie,X-Request-Id");

      assertThat(capture.requestHeaders())
          .extracting(h -> h.sensitive)
          .containsExactly(true, true, false);
    }

    @Test
    void configuredRedactGlobsMarkHeadersSensitive() {
      HttpCapture capture =
          capture(
              REQUEST_HEADERS,
              "X-Secret-Key,X-Auth-Token,X-Request-Id",
              RESPONSE_HEADERS,
              "X-Upstream-Token",
              "opsagent.capture.redact",
              "X-SECRET-*,*-token");

      assertThat(capture.requestHeaders())
          .extracting(h -> h.sensitive)
          .containsExactly(true, true, false);
      assertThat(capture.responseHeaders()).extracting(h -> h.sensitive).containsExactly(true);
    }
  }

  @Nested
  class Values {

    @Test
    void sensitiveHeaderValuesAreAllRedacted() {
      HttpCapture capture = capture(REQUEST_HEADERS, "authorization");
      CapturedHeader header = capture.requestHeaders().get(0);

      assertThat(capture.values(header, Arrays.asList("Bearer abc", "Basic xyz")))
          .containsExactly("[REDACTED]", "[REDACTED]");
    }

    @Test
    void otherValuesAreKeptInOrder() {
      HttpCapture capture = capture(REQUEST_HEADERS, "x-tenant");
      CapturedHeader header = capture.requestHeaders().get(0);

      assertThat(capture.values(header, Arrays.asList("acme", "globex")))
          .containsExactly("acme", "globex");
    }

    @Test
    void noValuesGiveAnEmptyList() {
      HttpCapture capture = capture(REQUEST_HEADERS, "x-tenant");

      assertThat(capture.values(capture.requestHeaders().get(0), Collections.emptyList()))
          .isEmpty();
    }

    @Test
    void longValuesAreCutToTheConfiguredMaximumLength() {
      HttpCapture capture =
          capture(REQUEST_HEADERS, "x-trace-note", "opsagent.capture.header-value-max-length", "5");
      CapturedHeader header = capture.requestHeaders().get(0);

      assertThat(capture.values(header, Arrays.asList("abcdefgh", "abcde", "ab")))
          .containsExactly("abcde", "abcde", "ab");
    }

    @Test
    void defaultMaximumLengthIs512() {
      HttpCapture capture = capture();
      String longValue = repeat('x', 600);

      assertThat(capture.truncate(longValue)).hasSize(512);
      assertThat(capture.truncate(repeat('x', 512))).hasSize(512);
    }

    @Test
    void invalidMaximumLengthFallsBackTo512WithAProblem() {
      Config config = config("opsagent.capture.header-value-max-length", "0");

      HttpCapture capture = HttpCapture.from(config);

      assertThat(capture.truncate(repeat('x', 600))).hasSize(512);
      assertThat(config.drainProblems())
          .singleElement()
          .asString()
          .contains("opsagent.capture.header-value-max-length", "using 512");
    }

    @Test
    void atMost16ValuesAreRecorded() {
      HttpCapture capture = capture(REQUEST_HEADERS, "x-tenant");
      List<String> received = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        received.add("t" + i);
      }

      assertThat(capture.values(capture.requestHeaders().get(0), received))
          .hasSize(16)
          .startsWith("t0", "t1")
          .endsWith("t15");
    }

    @Test
    void sensitiveQueryParametersInAUrlValueAreRedacted() {
      HttpCapture capture = capture(REQUEST_HEADERS, "referer");

      assertThat(
              capture.values(
                  capture.requestHeaders().get(0),
                  Arrays.asList(
                      "https://shop.example/cart?item=3&token=abc#frag",
                      "https://shop.example/cb#access_token=xyz&state=1",
                      "https://shop.example/plain")))
          .containsExactly(
              "https://shop.example/cart?item=3&token=REDACTED#frag",
              "https://shop.example/cb#access_token=REDACTED&state=1",
              "https://shop.example/plain");
    }

    @Test
    void urlValueIsRedactedBeforeItIsCut() {
      HttpCapture capture =
          capture(REQUEST_HEADERS, "referer", "opsagent.capture.header-value-max-length", "22");

      assertThat(
              capture.values(
                  capture.requestHeaders().get(0),
                  Collections.singletonList("https://a.b/?sig=" + repeat('s', 40))))
          .containsExactly("https://a.b/?sig=REDAC");
    }

    @Test
    void redactedValueIsNotTruncated() {
      HttpCapture capture =
          capture(REQUEST_HEADERS, "cookie", "opsagent.capture.header-value-max-length", "3");

      assertThat(
              capture.values(
                  capture.requestHeaders().get(0), Collections.singletonList("session=1")))
          .containsExactly("[REDACTED]");
    }
  }

  private static String repeat(char c, int count) {
    char[] chars = new char[count];
    Arrays.fill(chars, c);
    return new String(chars);
  }
}
