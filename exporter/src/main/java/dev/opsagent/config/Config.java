/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's configuration, read once at start-up from, in this order of precedence: agent
 * arguments ({@code -javaagent:opsagent.jar=key=value,key=value}), system properties, environment
 * variables, defaults.
 *
 * <p>Keys are written as system properties ({@code otel.service.name}, {@code opsagent.log.level});
 * the environment variable of a key is its upper-case form with {@code .} and {@code -} turned into
 * {@code _} ({@code OTEL_SERVICE_NAME}, {@code OPSAGENT_LOG_LEVEL}).
 *
 * <p>A value that cannot be used never stops the application: the typed getters report it once,
 * naming the key, where it came from and what is used instead, and return the default.
 */
public final class Config {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private final Map<String, String> agentArguments;
  private final Map<String, String> systemProperties;
  private final Map<String, String> environment;
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  private Config(
      Map<String, String> agentArguments,
      Map<String, String> systemProperties,
      Map<String, String> environment) {
    this.agentArguments = agentArguments;
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  /**
   * @param agentArguments the string after {@code =} in {@code -javaagent:}, may be {@code null}
   * @param systemProperties usually {@link System#getProperties()}
   * @param environment usually {@link System#getenv()}
   */
  public static Config create(
      String agentArguments, Properties systemProperties, Map<String, String> environment) {
    Map<String, String> properties = new LinkedHashMap<>();
    for (String name : systemProperties.stringPropertyNames()) {
      properties.put(name, systemProperties.getProperty(name));
    }
    Config config = new Config(new LinkedHashMap<>(), properties, new LinkedHashMap<>(environment));
    config.parseAgentArguments(agentArguments);
    return config;
  }

  /**
   * Agent arguments are {@code key=value} pairs separated by commas. A part without {@code =}
   * continues the previous value, so lists need no quoting: {@code
   * otel.instrumentation.http.server.capture-request-headers=x-request-id,x-tenant}. Arguments with
   * a line break are one pair per line, the values taken as they are: {@code java -jar opsagent.jar
   * attach} passes them so.
   */
  private void parseAgentArguments(String arguments) {
    if (arguments == null || arguments.isBlank()) {
      return;
    }
    boolean perLine = arguments.indexOf('\n') >= 0;
    String lastKey = null;
    for (String part : arguments.split(perLine ? "\n" : ",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq > 0) {
        lastKey = part.substring(0, eq).trim();
        agentArguments.put(lastKey, part.substring(eq + 1).trim());
      } else if (lastKey != null && !perLine) {
        agentArguments.merge(lastKey, part.trim(), (previous, next) -> previous + "," + next);
      } else {
        problem("agent argument '" + part.trim() + "' is not key=value: ignored");
      }
    }
  }

  /**
   * @return the environment variable name of a key
   */
  public static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * @return the trimmed value of a key from the first source that sets it, or {@code null}; a blank
   *     value counts as not set
   */
  public String get(String key) {
    String value = nonBlank(agentArguments.get(key));
    if (value == null) {
      value = nonBlank(systemProperties.get(key));
    }
    if (value == null) {
      value = nonBlank(environment.get(environmentName(key)));
    }
    return value;
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /**
   * @return where a key's value comes from, as a user would set it
   */
  public String source(String key) {
    if (nonBlank(agentArguments.get(key)) != null) {
      return "agent argument " + key;
    }
    if (nonBlank(systemProperties.get(key)) != null) {
      return "system property " + key;
    }
    return "environment variable " + environmentName(key);
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    String value = get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    invalid(key, value, "true or false", String.valueOf(defaultValue));
    return defaultValue;
  }

  /**
   * @return the value, which must be an integer of at least {@code min}
   */
  public int getInt(String key, int defaultValue, int min) {
    String value = get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    invalid(key, value, "a whole number of at least " + min, String.valueOf(defaultValue));
    return defaultValue;
  }

  /**
   * @return the value as a duration: a number of milliseconds ({@code 5000}) or a number with a
   *     unit ({@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}), as the OpenTelemetry agent reads
   *     it
   */
  public Duration getDuration(String key, Duration defaultValue) {
    String value = get(key);
    if (value == null) {
      return defaultValue;
    }
    Matcher matcher = DURATION.matcher(value.toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      try {
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
        switch (unit) {
          case "s":
            return Duration.ofSeconds(amount);
          case "m":
            return Duration.ofMinutes(amount);
          case "h":
            return Duration.ofHours(amount);
          default:
            return Duration.ofMillis(amount);
        }
      } catch (NumberFormatException | ArithmeticException e) {
        // reported below
      }
    }
    invalid(
        key,
        value,
        "milliseconds or a number with a unit (500ms, 5s, 1m)",
        defaultValue.toMillis() + " ms");
    return defaultValue;
  }

  /**
   * @return the value if it is one of {@code allowed} (case-insensitive, returned in lower case)
   */
  public String getOneOf(String key, String defaultValue, Collection<String> allowed) {
    String value = get(key);
    if (value == null) {
      return defaultValue;
    }
    String normalized = value.toLowerCase(Locale.ROOT);
    if (allowed.contains(normalized)) {
      return normalized;
    }
    invalid(key, value, "one of " + String.join(", ", allowed), defaultValue);
    return defaultValue;
  }

  /**
   * @return the comma-separated value as a list of trimmed, non-empty parts
   */
  public List<String> getList(String key) {
    String value = get(key);
    List<String> list = new ArrayList<>();
    if (value != null) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          list.add(part.trim());
        }
      }
    }
    return list;
  }

  /**
   * @return the value as {@code key=value} pairs separated by commas, values URL-decoded, as in
   *     {@code OTEL_RESOURCE_ATTRIBUTES} and {@code OTEL_EXPORTER_OTLP_HEADERS}
   * @param secret whether values must never be repeated in a log line
   */
  public Map<String, String> getMap(String key, boolean secret) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String pair : getList(key)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        problemOnce(
            key + "=" + pair,
            "ignoring '"
                + (secret ? "<hidden>" : pair)
                + "' in "
                + source(key)
                + ": expected name=value pairs separated by commas");
        continue;
      }
      String value = pair.substring(eq + 1).trim();
      try {
        value = URLDecoder.decode(value, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        problemOnce(
            key + "=" + pair,
            "value of '"
                + pair.substring(0, eq).trim()
                + "' in "
                + source(key)
                + " is not valid percent-encoding: used as written");
      }
      map.put(pair.substring(0, eq).trim(), value);
    }
    return map;
  }

  /**
   * Reports, once per key, a value that cannot be used.
   *
   * @param expected what a valid value looks like
   * @param usedInstead what the agent uses instead
   */
  public void invalid(String key, String value, String expected, String usedInstead) {
    problemOnce(
        key,
        "invalid value '"
            + value
            + "' for "
            + key
            + " (from "
            + source(key)
            + "): expected "
            + expected
            + "; using "
            + usedInstead);
  }

  /**
   * Reports, once, a part of a key's value that cannot be used and is left out, described by {@code
   * part} alone: the value itself is never repeated (it may be a secret).
   *
   * @param part what is left out, e.g. {@code header 'x-api-key'}
   * @param why why, and what a valid one looks like
   */
  public void ignoredPart(String key, String part, String why) {
    problemOnce(key + " " + part, "ignoring " + part + " in " + source(key) + ": " + why);
  }

  /**
   * Reports every {@code opsagent.*} key set by any source that the agent does not know, so a typo
   * is not silently ignored.
   *
   * @param known every key the agent reads
   */
  public void reportUnknownKeys(Set<String> known) {
    Set<String> unknown = new TreeSet<>();
    for (String key : agentArguments.keySet()) {
      if (!known.contains(key)) {
        unknown.add("agent argument " + key);
      }
    }
    for (String key : systemProperties.keySet()) {
      if (key.startsWith("opsagent.") && !known.contains(key)) {
        unknown.add("system property " + key);
      }
    }
    Set<String> knownEnvironment = new TreeSet<>();
    for (String key : known) {
      knownEnvironment.add(environmentName(key));
    }
    for (String name : environment.keySet()) {
      if (name.startsWith("OPSAGENT_") && !knownEnvironment.contains(name)) {
        unknown.add("environment variable " + name);
      }
    }
    for (String setting : unknown) {
      problem(
          "unknown setting " + setting + ": ignored (see the configuration table in the README)");
    }
  }

  private void problem(String message) {
    problems.add(message);
  }

  /** Records a problem the first time {@code what} goes wrong, however often it is read. */
  private void problemOnce(String what, String message) {
    if (reported.add(what)) {
      problems.add(message);
    }
  }

  /**
   * @return and forget the problems found so far, one log line each
   */
  public List<String> drainProblems() {
    synchronized (problems) {
      List<String> drained = new ArrayList<>(problems);
      problems.clear();
      return drained;
    }
  }
}
