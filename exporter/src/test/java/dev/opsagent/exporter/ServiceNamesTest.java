/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceNamesTest {

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "\t"})
  void missingCommandGivesTheUnknownServiceName(String command) {
    assertThat(ServiceNames.fromCommand(command)).isEqualTo("unknown_service:java");
  }

  @Test
  void mainClassGivesItsSimpleName() {
    assertThat(ServiceNames.fromCommand("com.acme.OrderService arg1")).isEqualTo("OrderService");
  }

  @Test
  void mainClassInTheDefaultPackageIsUsedAsIs() {
    assertThat(ServiceNames.fromCommand("OrderService")).isEqualTo("OrderService");
  }

  @Test
  void mainClassOfAModuleGivesItsSimpleName() {
    assertThat(ServiceNames.fromCommand("com.acme.orders/com.acme.orders.Main --port 8080"))
        .isEqualTo("Main");
  }

  @Test
  void leadingWhitespaceIsIgnored() {
    assertThat(ServiceNames.fromCommand("  com.acme.OrderService")).isEqualTo("OrderService");
  }

  @Test
  void mainClassNameEndingInADotGivesTheUnknownServiceName() {
    assertThat(ServiceNames.fromCommand("com.acme.")).isEqualTo("unknown_service:java");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/opt/app/orders-2.3.1.jar --port 1          | orders",
        "orders.jar                                  | orders",
        "build/libs/my-service-1.0.0-SNAPSHOT.jar    | my-service",
        "orders-2.3.1.RELEASE.jar                    | orders",
        "orders_1.0.jar                              | orders",
        "orders-v2.jar                               | orders",
        "orders-10.jar                               | orders",
        "orders-1.0.0-all.jar                        | orders",
        "C:\\apps\\billing-4.1.0.jar                 | billing",
        "log4j-demo.jar                              | log4j-demo",
        "payments-2fa.jar                            | payments-2fa",
      })
  void jarGivesItsBaseNameWithoutVersion(String command, String serviceName) {
    assertThat(ServiceNames.fromCommand(command)).isEqualTo(serviceName);
  }

  @Test
  void jarNamedOnlyByAVersionKeepsANonEmptyName() {
    assertThat(ServiceNames.fromCommand("1.2.jar")).isEqualTo("1.2");
    assertThat(ServiceNames.fromCommand("-1.2.jar")).isNotEmpty();
    assertThat(ServiceNames.fromCommand("/opt/v3.jar")).isEqualTo("v3");
  }

  @Test
  void assemblyJarWithDependenciesGivesTheArtifactName() {
    assertThat(ServiceNames.fromCommand("target/my-service-1.0.0-jar-with-dependencies.jar"))
        .isEqualTo("my-service");
  }

  @Test
  void jarPathWithASpaceGivesTheJarName() {
    assertThat(ServiceNames.fromCommand("/opt/my apps/orders-1.0.jar --port 1"))
        .isEqualTo("orders");
  }

  @Test
  void upperCaseJarExtensionIsAJar() {
    assertThat(ServiceNames.fromCommand("ORDERS.JAR")).isEqualTo("ORDERS");
  }
}
