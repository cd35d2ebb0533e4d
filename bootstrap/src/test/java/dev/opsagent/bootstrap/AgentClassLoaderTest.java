/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent class loader against a real jar laid out as {@code opsagent.jar} is: classes under
 * {@code inst/} as {@code *.classdata}, resources and service files under {@code inst/}.
 */
class AgentClassLoaderTest {

  /** A class only the agent loader can see, copied from this test's own class file. */
  public static final class HiddenSupplier implements Supplier<String> {
    @Override
    public String get() {
      return "from the agent loader";
    }
  }

  @TempDir Path folder;
  private JarFile jar;
  private AgentClassLoader loader;

  @BeforeEach
  void createJar() throws IOException {
    Path jarPath = folder.resolve("opsagent.jar");
    String hidden = HiddenSupplier.class.getName().replace('.', '/');
    try (OutputStream file = Files.newOutputStream(jarPath);
        JarOutputStream out = new JarOutputStream(file)) {
      put(out, "inst/" + hidden + ".classdata", classBytes(HiddenSupplier.class));
      put(out, "inst/config/settings.properties", "answer=42".getBytes(StandardCharsets.UTF_8));
      put(
          out,
          "inst/META-INF/services/java.util.function.Supplier",
          (HiddenSupplier.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      put(out, "root-only.txt", "not for the agent".getBytes(StandardCharsets.UTF_8));
    }
    jar = new JarFile(jarPath.toFile());
    loader = new AgentClassLoader(jar, jarPath.toUri().toURL());
  }

  @AfterEach
  void closeJar() throws IOException {
    jar.close();
  }

  @Test
  void definesClassesFromClassdataEntries() throws Exception {
    Class<?> type = loader.loadClass(HiddenSupplier.class.getName());

    assertThat(type.getClassLoader()).isSameAs(loader);
    assertThat(type).isNotSameAs(HiddenSupplier.class);
    assertThat(type.getPackage().getName()).isEqualTo("dev.opsagent.bootstrap");
    @SuppressWarnings("unchecked")
    Supplier<String> supplier = (Supplier<String>) type.getConstructor().newInstance();
    assertThat(supplier.get()).isEqualTo("from the agent loader");
  }

  @Test
  void returnsTheSameClassEveryTime() throws Exception {
    assertThat(loader.loadClass(HiddenSupplier.class.getName()))
        .isSameAs(loader.loadClass(HiddenSupplier.class.getName()));
  }

  @Test
  void seesTheJdkThroughItsPlatformParentButNotTheApplication() throws Exception {
    assertThat(loader.getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
    assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
    assertThat(loader.loadClass("java.sql.Connection").getClassLoader())
        .isSameAs(ClassLoader.getPlatformClassLoader());
    // This test class is on the application class path, not in the jar.
    assertThatThrownBy(() -> loader.loadClass(AgentClassLoaderTest.class.getName()))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void servesClassFilesAsResourcesUnderTheirUsualNames() throws IOException {
    String name = HiddenSupplier.class.getName().replace('.', '/') + ".class";

    try (InputStream in = loader.getResourceAsStream(name)) {
      assertThat(in).isNotNull();
      assertThat(in.readAllBytes()).isEqualTo(classBytes(HiddenSupplier.class));
    }
    assertThat(loader.getResource(name)).isNotNull();
  }

  @Test
  void servesResourcesFromTheHiddenFolderOnly() throws IOException {
    URL settings = loader.getResource("config/settings.properties");

    assertThat(settings).isNotNull();
    try (InputStream in = settings.openStream()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("answer=42");
    }
    assertThat(loader.getResource("root-only.txt")).isNull();
    assertThat(loader.getResource("no/such/thing")).isNull();
    assertThat(Collections.list(loader.getResources("config/settings.properties"))).hasSize(1);
  }

  @Test
  void serviceLoaderFindsProvidersInTheHiddenFolder() {
    @SuppressWarnings("rawtypes")
    ServiceLoader<Supplier> providers = ServiceLoader.load(Supplier.class, loader);

    assertThat(providers.findFirst())
        .get()
        .extracting(Object::getClass)
        .extracting(Class::getClassLoader)
        .isSameAs(loader);
  }

  @Test
  void unknownClassIsNotFound() {
    assertThatThrownBy(() -> loader.loadClass("dev.opsagent.NoSuchClass"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  private static byte[] classBytes(Class<?> type) throws IOException {
    String resource = "/" + type.getName().replace('.', '/') + ".class";
    try (InputStream in = type.getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
    out.putNextEntry(new JarEntry(name));
    out.write(bytes);
    out.closeEntry();
  }
}
