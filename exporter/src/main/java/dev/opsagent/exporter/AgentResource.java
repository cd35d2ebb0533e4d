/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.UUID;

/** The resource every span and metric of this process carries. */
final class AgentResource {

  private AgentResource() {}

  /**
   * {@code OTEL_RESOURCE_ATTRIBUTES} adds to and overrides the detected attributes; {@code
   * OTEL_SERVICE_NAME} overrides both, as in the OpenTelemetry SDK.
   */
  static Resource create(Config config) {
    AttributesBuilder detected =
        Attributes.builder()
            .put("service.name", ServiceNames.fromCommand(System.getProperty("sun.java.command")))
            .put("service.instance.id", UUID.randomUUID().toString())
            .put("host.name", hostName())
            .put("process.pid", ProcessHandle.current().pid())
            .put("process.runtime.name", System.getProperty("java.runtime.name", "unknown"))
            .put("process.runtime.version", System.getProperty("java.runtime.version", "unknown"))
            .put("telemetry.distro.name", "opsagent")
            .put("telemetry.distro.version", AgentVersion.get());
    for (Map.Entry<String, String> attribute :
        config.getMap(Keys.RESOURCE_ATTRIBUTES, false).entrySet()) {
      detected.put(attribute.getKey(), attribute.getValue());
    }
    String serviceName = config.get(Keys.SERVICE_NAME);
    if (serviceName != null) {
      detected.put(AttributeKey.stringKey("service.name"), serviceName);
    }
    return Resource.getDefault().merge(Resource.create(detected.build()));
  }

  /**
   * The kernel's host name, read without a DNS lookup ({@code InetAddress.getLocalHost()} can block
   * for seconds on a badly configured host, at the application's start).
   */
  private static String hostName() {
    String fromEnvironment = System.getenv("HOSTNAME");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.trim();
    }
    Path kernelHostName = Paths.get("/proc/sys/kernel/hostname");
    try {
      if (Files.isReadable(kernelHostName)) {
        return new String(Files.readAllBytes(kernelHostName), StandardCharsets.UTF_8).trim();
      }
    } catch (IOException e) {
      // fall through to the Windows variable
    }
    String computerName = System.getenv("COMPUTERNAME");
    return computerName == null ? "unknown" : computerName;
  }
}
