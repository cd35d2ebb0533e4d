/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link Config}, built from hand-made sources only (never the real JVM's). */
class ConfigTest {

  private static final String KEY = "otel.bsp.schedule.delay";
  private static final String ENV = "OTEL_BSP_SCHEDULE_DELAY";

  private static Properties props(String... keyValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      properties.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return properties;
  }

  private static Map<String, String> env(String... keyValues) {
    Map<String, String> environment = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      environment.put(keyValues[i], keyValues[i + 1]);
    }
    return environment;
  }

  private static Config agentArgs(String arguments) {
    return Config.create(arguments, new Properties(), Collections.emptyMap());
  }

  private static Config sysProps(String... keyValues) {
    return Config.create(null, props(keyValues), Collections.emptyMap());
  }

  private static Config envVars(String... keyValues) {
    return Config.create(null, new Properties(), env(keyValues));
  }

  private static Config empty() {
    return Config.create(null, new Properties(), Collections.emptyMap());
  }

  @Nested
  class EnvironmentName {

    @Test
    void upperCasesAndTurnsDotsIntoUnderscores() {
      assertThat(Config.environmentName("otel.service.name")).isEqualTo("OTEL_SERVICE_NAME");
    }

    @Test
    void turnsDashesIntoUnderscores() {
      assertThat(Config.environmentName("opsagent.capture.header-value-max-length"))
          .isEqualTo("OPSAGENT_CAPTURE_HEADER_VALUE_MAX_LENGTH");
      assertThat(Config.environmentName("opsagent.instrumentation.jdk-http-server.enabled"))
          .isEqualTo("OPSAGENT_INSTRUMENTATION_JDK_HTTP_SERVER_ENABLED");
    }
  }

  @Nested
  class Precedence {

    @Test
    void agentArgumentWinsOverSystemPropertyAndEnvironment() {
      Config config =
          Config.create(
              "otel.service.name=from-args",
              props("otel.service.name", "from-sysprop"),
              env("OTEL_SERVICE_NAME", "from-env"));

      assertThat(config.get("otel.service.name")).isEqualTo("from-args");
      assertThat(config.source("otel.service.name")).isEqualTo("agent argument otel.service.name");
    }

    @Test
    void systemPropertyWinsOverEnvironment() {
      Config config =
          Config.create(
              null,
              props("otel.service.name", "from-sysprop"),
              env("OTEL_SERVICE_NAME", "from-env"));

      assertThat(config.get("otel.service.name")).isEqualTo("from-sysprop");
      assertThat(config.source("otel.service.name")).isEqualTo("system property otel.service.name");
    }

    @Test
    void environmentIsReadUnderTheKeysEnvironmentName() {
      Config config = envVars("OTEL_SERVICE_NAME", "from-env");

      assertThat(config.get("otel.service.name")).isEqualTo("from-env");
      assertThat(config.source("otel.service.name"))
          .isEqualTo("environment variable OTEL_SERVICE_NAME");
    }

    @Test
    void environmentVariableUnderTheLowerCaseKeyIsNotRead() {
      Config config = envVars("otel.service.name", "from-env");

      assertThat(config.get("otel.service.name")).isNull();
    }

    @Test
    void defaultIsUsedWhenNoSourceSetsTheKey() {
      Config config = empty();

      assertThat(config.get("otel.service.name")).isNull();
    }

    @Test
    void valuesAreTrimmed() {
      assertThat(sysProps("otel.service.name", "  orders  ").get("otel.service.name"))
          .isEqualTo("orders");
    }
  }

  @Nested
  class BlankValues {

    @Test
    void blankSystemPropertyIsTreatedAsUnset() {
      Config config = sysProps("otel.service.name", "   ");

      assertThat(config.get("otel.service.name")).isNull();
    }

    @Test
    void emptyEnvironmentVariableIsTreatedAsUnset() {
      Config config = envVars("OTEL_SERVICE_NAME", "");

      assertThat(config.get("otel.service.name")).isNull();
    }

    @Test
    void emptyAgentArgumentIsTreatedAsUnset() {
      Config config = agentArgs("otel.service.name=");

      assertThat(config.get("otel.service.name")).isNull();
    }

    @Test
    void blankValueIsNotReportedAsInvalidByTypedGetters() {
      Config config = envVars(ENV, " ", "OPSAGENT_FLAG", "", "OPSAGENT_NUMBER", "");

      assertThat(config.getDuration(KEY, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
      assertThat(config.getBoolean("opsagent.flag", true)).isTrue();
      assertThat(config.getInt("opsagent.number", 7, 1)).isEqualTo(7);
      assertThat(config.drainProblems()).isEmpty();
    }

    /** A blank value counts as not set: the next source is read, and it is named as the source. */
    @Test
    void blankSystemPropertyFallsThroughToTheEnvironmentVariable() {
      Config config =
          Config.create(null, props("otel.service.name", ""), env("OTEL_SERVICE_NAME", "from-env"));

      assertThat(config.get("otel.service.name")).isEqualTo("from-env");
      assertThat(config.source("otel.service.name"))
          .isEqualTo("environment variable OTEL_SERVICE_NAME");
    }
  }

  @Nested
  class AgentArguments {

    @Test
    void nullOrBlankArgumentsSetNothingAndReportNothing() {
      assertThat(agentArgs(null).drainProblems()).isEmpty();
      assertThat(agentArgs("   ").drainProblems()).isEmpty();
      assertThat(agentArgs("  ").get("otel.service.name")).isNull();
    }

    @Test
    void parsesCommaSeparatedKeyValuePairs() {
      Config config = agentArgs("otel.service.name=orders,opsagent.log.level=debug");

      assertThat(config.get("otel.service.name")).isEqualTo("orders");
      assertThat(config.get("opsagent.log.level")).isEqualTo("debug");
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void trimsKeysAndValues() {
      Config config = agentArgs(" otel.service.name = orders , opsagent.log.level= debug ");

      assertThat(config.get("otel.service.name")).isEqualTo("orders");
      assertThat(config.get("opsagent.log.level")).isEqualTo("debug");
    }

    @Test
    void partWithoutEqualsContinuesThePreviousValueAsAList() {
      Config config = agentArgs("a=1,b=x,y,z");

      assertThat(config.get("a")).isEqualTo("1");
      assertThat(config.get("b")).isEqualTo("x,y,z");
      assertThat(config.getList("b")).containsExactly("x", "y", "z");
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void listContinuationWorksForHeaderCaptureLists() {
      Config config =
          agentArgs(
              "otel.instrumentation.http.server.capture-request-headers=x-request-id,x-tenant,"
                  + "otel.service.name=orders");

      assertThat(config.getList(Keys.CAPTURE_REQUEST_HEADERS))
          .containsExactly("x-request-id", "x-tenant");
      assertThat(config.get(Keys.SERVICE_NAME)).isEqualTo("orders");
    }

    @Test
    void argumentsWithLineBreaksAreOnePairPerLineAndValuesKeepTheirCommas() {
      Config config =
          agentArgs(
              "otel.resource.attributes=team=checkout,tier=1\n"
                  + "otel.service.name=orders\n"
                  + "\n"
                  + "not-a-pair");

      assertThat(config.get("otel.resource.attributes")).isEqualTo("team=checkout,tier=1");
      assertThat(config.get("otel.service.name")).isEqualTo("orders");
      assertThat(config.drainProblems())
          .containsExactly("agent argument 'not-a-pair' is not key=value: ignored");
    }

    @Test
    void valueMayContainEqualsSigns() {
      Config config = agentArgs("otel.exporter.otlp.headers=api-key=s3cr3t==");

      assertThat(config.get("otel.exporter.otlp.headers")).isEqualTo("api-key=s3cr3t==");
    }

    @Test
    void partWithoutEqualsAtTheStartIsReportedAndIgnored() {
      Config config = agentArgs("oops,otel.service.name=orders");

      assertThat(config.get("otel.service.name")).isEqualTo("orders");
      assertThat(config.drainProblems())
          .containsExactly("agent argument 'oops' is not key=value: ignored");
    }

    @Test
    void partStartingWithEqualsAtTheStartIsReported() {
      Config config = agentArgs("=orders");

      assertThat(config.drainProblems())
          .containsExactly("agent argument '=orders' is not key=value: ignored");
    }

    @Test
    void emptyPartsAtTheStartAreNotReported() {
      Config config = agentArgs(",,otel.service.name=orders");

      assertThat(config.get("otel.service.name")).isEqualTo("orders");
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void trailingCommaChangesNothing() {
      Config config = agentArgs("otel.service.name=orders,");

      assertThat(config.get("otel.service.name")).isEqualTo("orders");
    }

    @Test
    void emptyPartInAListIsDroppedByGetList() {
      Config config = agentArgs("otel.instrumentation.http.server.capture-request-headers=a,,b");

      assertThat(config.getList(Keys.CAPTURE_REQUEST_HEADERS)).containsExactly("a", "b");
    }

    @Test
    void emptyPartBetweenPairsDoesNotChangeThePreviousValue() {
      Config config = agentArgs("otel.bsp.max.queue.size=100,,otel.service.name=orders");

      assertThat(config.get("otel.bsp.max.queue.size")).isEqualTo("100");
      assertThat(config.getInt("otel.bsp.max.queue.size", 2048, 1)).isEqualTo(100);
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void laterOccurrenceOfAKeyReplacesTheEarlierOne() {
      Config config = agentArgs("otel.service.name=first,otel.service.name=second");

      assertThat(config.get("otel.service.name")).isEqualTo("second");
    }

    /**
     * Documented limitation (README: "a value may contain commas when its parts contain no =") : a
     * map-valued key set as an agent argument keeps only its first pair; the next pair becomes a
     * key of its own, which is at least reported as unknown.
     */
    @Test
    void mapValuedAgentArgumentKeepsOnlyItsFirstPairAndTheNextIsReportedAsUnknown() {
      Config config = agentArgs("otel.resource.attributes=deployment.environment=prod,team=orders");

      assertThat(config.getMap(Keys.RESOURCE_ATTRIBUTES, false))
          .containsExactly(entry("deployment.environment", "prod"));
      config.reportUnknownKeys(Keys.all(Collections.emptyList()));
      assertThat(config.drainProblems())
          .containsExactly(
              "unknown setting agent argument team: ignored (see the configuration table in the README)");
    }
  }

  @Nested
  class Booleans {

    @Test
    void readsTrueAndFalseIgnoringCase() {
      Config config = sysProps("opsagent.a", "true", "opsagent.b", "FALSE", "opsagent.c", "True");

      assertThat(config.getBoolean("opsagent.a", false)).isTrue();
      assertThat(config.getBoolean("opsagent.b", true)).isFalse();
      assertThat(config.getBoolean("opsagent.c", false)).isTrue();
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void unsetReturnsDefault() {
      assertThat(empty().getBoolean("opsagent.a", true)).isTrue();
      assertThat(empty().getBoolean("opsagent.a", false)).isFalse();
    }

    @Test
    void invalidValueReturnsDefaultAndIsReportedOnce() {
      Config config = envVars("OPSAGENT_INSTRUMENTATION_JDK_HTTP_SERVER_ENABLED", "yes");
      String key = "opsagent.instrumentation.jdk-http-server.enabled";

      assertThat(config.getBoolean(key, true)).isTrue();
      assertThat(config.drainProblems())
          .containsExactly(
              "invalid value 'yes' for opsagent.instrumentation.jdk-http-server.enabled"
                  + " (from environment variable OPSAGENT_INSTRUMENTATION_JDK_HTTP_SERVER_ENABLED):"
                  + " expected true or false; using true");
    }
  }

  @Nested
  class Ints {

    @Test
    void readsAWholeNumber() {
      assertThat(
              sysProps("otel.bsp.max.queue.size", "4096")
                  .getInt("otel.bsp.max.queue.size", 2048, 1))
          .isEqualTo(4096);
    }

    @Test
    void acceptsTheMinimum() {
      assertThat(sysProps("opsagent.n", "1").getInt("opsagent.n", 5, 1)).isEqualTo(1);
    }

    @Test
    void unsetReturnsDefault() {
      assertThat(empty().getInt("opsagent.n", 5, 1)).isEqualTo(5);
    }

    @Test
    void notANumberReturnsDefaultAndIsReported() {
      Config config = envVars("OTEL_BSP_MAX_QUEUE_SIZE", "lots");

      assertThat(config.getInt("otel.bsp.max.queue.size", 2048, 1)).isEqualTo(2048);
      List<String> problems = config.drainProblems();
      assertThat(problems).hasSize(1);
      assertThat(problems.get(0))
          .isEqualTo(
              "invalid value 'lots' for otel.bsp.max.queue.size"
                  + " (from environment variable OTEL_BSP_MAX_QUEUE_SIZE):"
                  + " expected a whole number of at least 1; using 2048");
    }

    @Test
    void belowTheMinimumReturnsDefaultAndIsReported() {
      Config config = sysProps("otel.bsp.max.queue.size", "0");

      assertThat(config.getInt("otel.bsp.max.queue.size", 2048, 1)).isEqualTo(2048);
      assertThat(config.drainProblems())
          .singleElement(STRING)
          .contains("'0'", "system property otel.bsp.max.queue.size", "at least 1", "using 2048");
    }

    @Test
    void negativeOrOverflowingOrDecimalValuesAreInvalid() {
      Config config = sysProps("opsagent.a", "-3", "opsagent.b", "2147483648", "opsagent.c", "1.5");

      assertThat(config.getInt("opsagent.a", 9, 0)).isEqualTo(9);
      assertThat(config.getInt("opsagent.b", 9, 0)).isEqualTo(9);
      assertThat(config.getInt("opsagent.c", 9, 0)).isEqualTo(9);
      assertThat(config.drainProblems()).hasSize(3);
    }
  }

  @Nested
  class Durations {

    @Test
    void plainNumberIsMilliseconds() {
      assertThat(sysProps(KEY, "5000").getDuration(KEY, Duration.ZERO))
          .isEqualTo(Duration.ofMillis(5000));
    }

    @Test
    void readsEveryUnit() {
      Config config =
          sysProps(
              "opsagent.a", "500ms", "opsagent.b", "5s", "opsagent.c", "2m", "opsagent.d", "1h");

      assertThat(config.getDuration("opsagent.a", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
      assertThat(config.getDuration("opsagent.b", Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
      assertThat(config.getDuration("opsagent.c", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
      assertThat(config.getDuration("opsagent.d", Duration.ZERO)).isEqualTo(Duration.ofHours(1));
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void unitIsCaseInsensitiveAndMayFollowASpace() {
      Config config = sysProps("opsagent.a", "5S", "opsagent.b", "250 ms");

      assertThat(config.getDuration("opsagent.a", Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
      assertThat(config.getDuration("opsagent.b", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void unsetReturnsDefault() {
      assertThat(empty().getDuration(KEY, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void invalidValueReturnsDefaultAndOneProblemNamingKeySourceAndReplacement() {
      Config config = envVars(ENV, "soon");

      assertThat(config.getDuration(KEY, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
      assertThat(config.drainProblems())
          .containsExactly(
              "invalid value 'soon' for otel.bsp.schedule.delay"
                  + " (from environment variable OTEL_BSP_SCHEDULE_DELAY):"
                  + " expected milliseconds or a number with a unit (500ms, 5s, 1m); using 5000 ms");
    }

    @Test
    void unknownUnitNegativeAndFractionalValuesAreInvalid() {
      Config config = sysProps("opsagent.a", "1d", "opsagent.b", "-5s", "opsagent.c", "1.5s");

      assertThat(config.getDuration("opsagent.a", Duration.ofMillis(1)))
          .isEqualTo(Duration.ofMillis(1));
      assertThat(config.getDuration("opsagent.b", Duration.ofMillis(1)))
          .isEqualTo(Duration.ofMillis(1));
      assertThat(config.getDuration("opsagent.c", Duration.ofMillis(1)))
          .isEqualTo(Duration.ofMillis(1));
      assertThat(config.drainProblems()).hasSize(3);
    }

    @Test
    void numberTooLargeIsInvalidNotAnException() {
      Config config =
          sysProps("opsagent.a", "99999999999999999999999", "opsagent.b", "9999999999999999h");

      assertThat(config.getDuration("opsagent.a", Duration.ofSeconds(1)))
          .isEqualTo(Duration.ofSeconds(1));
      assertThat(config.getDuration("opsagent.b", Duration.ofSeconds(1)))
          .isEqualTo(Duration.ofSeconds(1));
      assertThat(config.drainProblems()).hasSize(2);
    }

    @Test
    void invalidValueReadTwiceIsReportedOnce() {
      Config config = envVars(ENV, "soon");

      config.getDuration(KEY, Duration.ofSeconds(5));
      config.getDuration(KEY, Duration.ofSeconds(5));

      assertThat(config.drainProblems()).hasSize(1);
    }

    @Test
    void invalidValueReadThroughDifferentGettersIsReportedOnce() {
      Config config = envVars(ENV, "soon");

      config.getDuration(KEY, Duration.ofSeconds(5));
      config.getInt(KEY, 5000, 0);

      assertThat(config.drainProblems()).hasSize(1);
    }
  }

  @Nested
  class OneOf {

    private final List<String> allowed = Arrays.asList("otlp", "console", "none");

    @Test
    void acceptsAnAllowedValueAndReturnsItInLowerCase() {
      Config config = sysProps("otel.traces.exporter", "Console");

      assertThat(config.getOneOf("otel.traces.exporter", "otlp", allowed)).isEqualTo("console");
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void unsetReturnsDefault() {
      assertThat(empty().getOneOf("otel.traces.exporter", "otlp", allowed)).isEqualTo("otlp");
    }

    @Test
    void otherValueReturnsDefaultAndIsReportedWithTheAllowedValues() {
      Config config = agentArgs("otel.traces.exporter=zipkin");

      assertThat(config.getOneOf("otel.traces.exporter", "otlp", allowed)).isEqualTo("otlp");
      assertThat(config.drainProblems())
          .containsExactly(
              "invalid value 'zipkin' for otel.traces.exporter"
                  + " (from agent argument otel.traces.exporter):"
                  + " expected one of otlp, console, none; using otlp");
    }
  }

  @Nested
  class Lists {

    @Test
    void splitsOnCommasTrimsAndDropsEmptyParts() {
      Config config = sysProps("opsagent.list", " a, b ,,c , ");

      assertThat(config.getList("opsagent.list")).containsExactly("a", "b", "c");
    }

    @Test
    void unsetIsAnEmptyList() {
      assertThat(empty().getList("opsagent.list")).isEmpty();
    }

    @Test
    void singleValueIsAOneElementList() {
      assertThat(sysProps("opsagent.list", "x-request-id").getList("opsagent.list"))
          .containsExactly("x-request-id");
    }
  }

  @Nested
  class Maps {

    @Test
    void parsesNameValuePairs() {
      Config config =
          envVars("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod, team = orders");

      assertThat(config.getMap(Keys.RESOURCE_ATTRIBUTES, false))
          .containsExactly(entry("deployment.environment", "prod"), entry("team", "orders"));
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void unsetIsAnEmptyMap() {
      assertThat(empty().getMap(Keys.RESOURCE_ATTRIBUTES, false)).isEmpty();
    }

    @Test
    void valuesArePercentDecoded() {
      Config config =
          envVars("OTEL_RESOURCE_ATTRIBUTES", "owner=Team%20Orders,path=%2Fopt%2Fapp,eq=a%3Db");

      assertThat(config.getMap(Keys.RESOURCE_ATTRIBUTES, false))
          .containsEntry("owner", "Team Orders")
          .containsEntry("path", "/opt/app")
          .containsEntry("eq", "a=b");
    }

    @Test
    void valueMayContainEqualsSigns() {
      Config config = envVars("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Basic dXNlcjpwYXNz==");

      assertThat(config.getMap("otel.exporter.otlp.headers", true))
          .containsEntry("authorization", "Basic dXNlcjpwYXNz==");
    }

    @Test
    void pairWithoutEqualsIsIgnoredAndReportedWithItsText() {
      Config config = envVars("OTEL_RESOURCE_ATTRIBUTES", "team=orders,garbage");

      assertThat(config.getMap(Keys.RESOURCE_ATTRIBUTES, false)).containsOnlyKeys("team");
      assertThat(config.drainProblems())
          .containsExactly(
              "ignoring 'garbage' in environment variable OTEL_RESOURCE_ATTRIBUTES:"
                  + " expected name=value pairs separated by commas");
    }

    @Test
    void pairWithEmptyNameIsIgnoredAndReported() {
      Config config = sysProps(Keys.RESOURCE_ATTRIBUTES, "=orphan,team=orders");

      assertThat(config.getMap(Keys.RESOURCE_ATTRIBUTES, false)).containsOnlyKeys("team");
      assertThat(config.drainProblems()).hasSize(1);
    }

    @Test
    void secretMapHidesTheMalformedPairInTheProblem() {
      Config config = envVars("OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc,TopSecretToken");

      assertThat(config.getMap("otel.exporter.otlp.headers", true)).containsOnlyKeys("api-key");
      List<String> problems = config.drainProblems();
      assertThat(problems)
          .containsExactly(
              "ignoring '<hidden>' in environment variable OTEL_EXPORTER_OTLP_HEADERS:"
                  + " expected name=value pairs separated by commas");
      assertThat(String.join("\n", problems))
          .doesNotContain("TopSecretToken")
          .doesNotContain("abc");
    }

    @Test
    void invalidPercentEncodingIsUsedAsWrittenAndReportedWithoutTheValue() {
      Config config = envVars("OTEL_EXPORTER_OTLP_HEADERS", "api-key=50%off%zz");

      assertThat(config.getMap("otel.exporter.otlp.headers", true))
          .containsEntry("api-key", "50%off%zz");
      List<String> problems = config.drainProblems();
      assertThat(problems)
          .containsExactly(
              "value of 'api-key' in environment variable OTEL_EXPORTER_OTLP_HEADERS"
                  + " is not valid percent-encoding: used as written");
      assertThat(problems.get(0)).doesNotContain("50%off");
    }

    @Test
    void malformedMapReadTwiceIsReportedOnce() {
      Config config = envVars("OTEL_EXPORTER_OTLP_HEADERS", "garbage");

      config.getMap("otel.exporter.otlp.headers", true);
      config.getMap("otel.exporter.otlp.headers", true);

      assertThat(config.drainProblems()).hasSize(1);
    }
  }

  @Nested
  class UnknownKeys {

    private final Set<String> known = Keys.all(Arrays.asList("jdk-http-server"));

    @Test
    void knownKeysFromEverySourceAreNotReported() {
      Config config =
          Config.create(
              "otel.service.name=orders,opsagent.log.level=debug",
              props(
                  "opsagent.capture.redact",
                  "x-secret-*",
                  "opsagent.instrumentation.jdk-http-server.enabled",
                  "true"),
              env(
                  "OPSAGENT_INSTRUMENTATION_JDK_HTTP_SERVER_ENABLED", "true",
                  "OPSAGENT_CAPTURE_HEADER_VALUE_MAX_LENGTH", "100",
                  "OPSAGENT_LOG_LEVEL", "info"));

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void unknownOpsagentSystemPropertyIsReported() {
      Config config = sysProps("opsagent.log.levl", "debug");

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems())
          .containsExactly(
              "unknown setting system property opsagent.log.levl:"
                  + " ignored (see the configuration table in the README)");
    }

    @Test
    void systemPropertiesOutsideOpsagentAreNotReported() {
      Config config =
          sysProps(
              "java.version", "17", "otel.servce.name", "typo-but-not-ours", "opsagentx.y", "z");

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void unknownOpsagentEnvironmentVariableIsReported() {
      Config config = envVars("OPSAGENT_LOG_LEVL", "debug", "PATH", "/usr/bin", "OTEL_FOO", "x");

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems())
          .containsExactly(
              "unknown setting environment variable OPSAGENT_LOG_LEVL:"
                  + " ignored (see the configuration table in the README)");
    }

    @Test
    void environmentVariableOfADashedKeyIsKnown() {
      Config config = envVars("OPSAGENT_INSTRUMENTATION_JDK_HTTP_SERVER_ENABLED", "false");

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems()).isEmpty();
      assertThat(config.getBoolean("opsagent.instrumentation.jdk-http-server.enabled", true))
          .isFalse();
    }

    @Test
    void instrumentationNotInTheAgentIsReported() {
      Config config = sysProps("opsagent.instrumentation.netty.enabled", "false");

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems())
          .singleElement(STRING)
          .contains("system property opsagent.instrumentation.netty.enabled");
    }

    @Test
    void anyUnknownAgentArgumentKeyIsReportedNotOnlyOpsagentOnes() {
      Config config = agentArgs("otel.servce.name=orders,opsagent.foo=1,otel.service.name=ok");

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems())
          .containsExactly(
              "unknown setting agent argument opsagent.foo:"
                  + " ignored (see the configuration table in the README)",
              "unknown setting agent argument otel.servce.name:"
                  + " ignored (see the configuration table in the README)");
    }

    @Test
    void eachUnknownSettingIsOneLineInSortedOrder() {
      Config config =
          Config.create(
              "zzz=1", props("opsagent.b", "1", "opsagent.a", "1"), env("OPSAGENT_C", "1"));

      config.reportUnknownKeys(known);

      assertThat(config.drainProblems())
          .containsExactly(
              "unknown setting agent argument zzz: ignored (see the configuration table in the README)",
              "unknown setting environment variable OPSAGENT_C:"
                  + " ignored (see the configuration table in the README)",
              "unknown setting system property opsagent.a:"
                  + " ignored (see the configuration table in the README)",
              "unknown setting system property opsagent.b:"
                  + " ignored (see the configuration table in the README)");
    }
  }

  @Nested
  class Problems {

    @Test
    void drainReturnsProblemsInOrderAndEmptiesTheList() {
      Config config = Config.create("oops", props("opsagent.n", "x"), Collections.emptyMap());
      config.getInt("opsagent.n", 1, 0);

      List<String> first = config.drainProblems();
      assertThat(first).hasSize(2);
      assertThat(first.get(0)).startsWith("agent argument 'oops'");
      assertThat(first.get(1)).startsWith("invalid value 'x' for opsagent.n");
      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void drainedListIsACopy() {
      Config config = agentArgs("oops");
      List<String> drained = config.drainProblems();

      drained.clear();
      config.getBoolean("opsagent.none", false);

      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void invalidReportedOnceStaysQuietAfterADrain() {
      Config config = envVars(ENV, "soon");
      config.getDuration(KEY, Duration.ofSeconds(5));
      config.drainProblems();

      config.getDuration(KEY, Duration.ofSeconds(5));

      assertThat(config.drainProblems()).isEmpty();
    }

    @Test
    void invalidCanBeCalledByOtherClassesAndIsReportedOncePerKey() {
      Config config = sysProps("opsagent.x", "v");
      config.invalid("opsagent.x", "v", "something else", "the default");
      config.invalid("opsagent.x", "v", "something else", "the default");

      assertThat(config.drainProblems())
          .containsExactly(
              "invalid value 'v' for opsagent.x (from system property opsagent.x):"
                  + " expected something else; using the default");
    }
  }

  @Test
  void copiesItsSourcesSoLaterChangesAreNotSeen() {
    Properties properties = props("otel.service.name", "before");
    Map<String, String> environment = env("OPSAGENT_LOG_LEVEL", "info");
    Config config = Config.create(null, properties, environment);

    properties.setProperty("otel.service.name", "after");
    environment.put("OPSAGENT_LOG_LEVEL", "debug");

    assertThat(config.get("otel.service.name")).isEqualTo("before");
    assertThat(config.get("opsagent.log.level")).isEqualTo("info");
  }

  @Test
  void readsSystemPropertyDefaults() {
    Properties defaults = props("otel.service.name", "from-defaults");
    Properties properties = new Properties(defaults);

    assertThat(Config.create(null, properties, Collections.emptyMap()).get("otel.service.name"))
        .isEqualTo("from-defaults");
  }
}
