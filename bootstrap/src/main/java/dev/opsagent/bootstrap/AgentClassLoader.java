/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The one class loader that holds the agent: Byte Buddy, the OpenTelemetry SDK, the exporters, the
 * instrumentations and their helpers.
 *
 * <p>It reads class files from the folder {@value #PREFIX} of {@code opsagent.jar}, where they are
 * stored with the suffix {@value #CLASS_SUFFIX}: class-path scanners of the application (Spring,
 * CDI, ServiceLoader lookups of the system class loader) do not take them for classes, and the
 * application can never load them by accident. Its parent is the platform class loader, so the
 * agent sees the JDK and the bootstrap classes but nothing of the application.
 */
public final class AgentClassLoader extends ClassLoader {

  /** Folder inside the agent jar that holds the agent's own and third-party classes. */
  public static final String PREFIX = "inst/";

  /** Suffix of class files under {@link #PREFIX}. */
  public static final String CLASS_SUFFIX = ".classdata";

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final URL jarUrl;
  private final ProtectionDomain protectionDomain;

  /**
   * @param jar the agent jar, kept open for the life of this loader
   * @param jarUrl the agent jar's location
   */
  public AgentClassLoader(JarFile jar, URL jarUrl) {
    super("opsagent", ClassLoader.getPlatformClassLoader());
    this.jar = jar;
    this.jarUrl = jarUrl;
    this.protectionDomain =
        new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), null, this, null);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + CLASS_SUFFIX);
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      bytes = read(in, entry.getSize());
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    definePackageOf(name);
    return defineClass(name, bytes, 0, bytes.length, protectionDomain);
  }

  /**
   * Reads a class file of known size into an array of that size: {@code readAllBytes} would read
   * through an 8 KB buffer first, several times a class's size for the ~1,700 classes the agent
   * loads, all of it garbage on the heap while the application starts.
   */
  private static byte[] read(InputStream in, long size) throws IOException {
    if (size < 0 || size > Integer.MAX_VALUE) {
      return in.readAllBytes();
    }
    byte[] bytes = new byte[(int) size];
    int read = in.readNBytes(bytes, 0, bytes.length);
    if (read != bytes.length || in.read() != -1) {
      throw new IOException("the jar entry's size does not match its content");
    }
    return bytes;
  }

  private void definePackageOf(String className) {
    int dot = className.lastIndexOf('.');
    if (dot <= 0) {
      return;
    }
    String packageName = className.substring(0, dot);
    if (getDefinedPackage(packageName) == null) {
      try {
        definePackage(packageName, null, null, null, null, null, null, null);
      } catch (IllegalArgumentException alreadyDefinedConcurrently) {
        // Another thread defined it between the check and here: nothing to do.
      }
    }
  }

  @Override
  protected URL findResource(String name) {
    String entryName = entryName(name);
    if (jar.getJarEntry(entryName) == null) {
      return null;
    }
    try {
      return new URL("jar:" + jarUrl.toExternalForm() + "!/" + entryName);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null
        ? Collections.emptyEnumeration()
        : Collections.enumeration(Collections.singleton(url));
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    // Served straight from the open jar: no URL connection, no jar-file cache of the JDK.
    JarEntry entry = jar.getJarEntry(entryName(name));
    if (entry != null) {
      try {
        return jar.getInputStream(entry);
      } catch (IOException e) {
        return null;
      }
    }
    return super.getResourceAsStream(name);
  }

  /**
   * Class files are asked for as {@code a/b/C.class}; they are stored as {@code
   * inst/a/b/C.classdata}.
   */
  private static String entryName(String resourceName) {
    if (resourceName.endsWith(".class")) {
      return PREFIX
          + resourceName.substring(0, resourceName.length() - ".class".length())
          + CLASS_SUFFIX;
    }
    return PREFIX + resourceName;
  }
}
