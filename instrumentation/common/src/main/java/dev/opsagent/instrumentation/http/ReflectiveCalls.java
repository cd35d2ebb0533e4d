/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Calls into a server's or an application's API through method handles. The agent's classes cannot
 * link against that API: it is loaded by the server or the application, which the agent's class
 * loader does not see. Handles are looked up once, with reference types erased to {@code Object} so
 * that one exact invocation serves every implementation; a call that fails answers {@code null} (or
 * -1, or {@code false}, or an empty list) rather than throw into the server.
 */
public final class ReflectiveCalls {

  private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();

  /** Every cache {@link #perClass} made. */
  private static final List<PerClass<?>> CACHES = new CopyOnWriteArrayList<>();

  private ReflectiveCalls() {}

  /** How a server's API is found from a class of its objects. */
  public interface ApiLookup<T> {
    /**
     * @return the API, or {@code null} if objects of {@code type} have none
     */
    T find(Class<?> type) throws ReflectiveOperationException;
  }

  /**
   * A server's API by the class of its objects, looked up once per class; empty for a class that
   * has none, or whose API could not be looked up.
   */
  public static <T> ClassValue<Optional<T>> perClass(ApiLookup<T> lookup) {
    PerClass<T> cache = new PerClass<>(lookup);
    CACHES.add(cache);
    return cache;
  }

  /**
   * Forgets every API looked up: the agent detaches. A class holds the values computed for it, and
   * a value holds the agent's class loader: left there, the application's classes would keep the
   * agent's loader for as long as they live.
   */
  public static void forgetAll() {
    CACHES.forEach(PerClass::forgetAll);
  }

  /** A per-class cache that knows which classes it holds a value for. */
  private static final class PerClass<T> extends ClassValue<Optional<T>> {

    private final ApiLookup<T> lookup;

    /** The classes with a value, weakly: a class that is unloaded drops out. */
    private final Set<Class<?>> computed =
        Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    PerClass(ApiLookup<T> lookup) {
      this.lookup = lookup;
    }

    @Override
    protected Optional<T> computeValue(Class<?> type) {
      computed.add(type);
      try {
        return Optional.ofNullable(lookup.find(type));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return Optional.empty();
      }
    }

    void forgetAll() {
      List<Class<?>> types;
      synchronized (computed) {
        types = new ArrayList<>(computed);
        computed.clear();
      }
      types.forEach(this::remove);
    }
  }

  /**
   * A public method of {@code owner}, its receiver and reference types erased to {@code Object}:
   * {@code (Object, Object...) -> Object} or a primitive.
   */
  public static MethodHandle handle(
      Class<?> owner, String name, Class<?> returned, Class<?>... parameters)
      throws ReflectiveOperationException {
    MethodHandle handle =
        LOOKUP.findVirtual(owner, name, MethodType.methodType(returned, parameters));
    return handle.asType(handle.type().erase());
  }

  /**
   * @return the interface called {@code name} that {@code type} implements, directly or through a
   *     superclass or another interface; {@code null} if none
   */
  public static Class<?> findInterface(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> implemented : c.getInterfaces()) {
        if (implemented.getName().equals(name)) {
          return implemented;
        }
        Class<?> inherited = findInterface(implemented, name);
        if (inherited != null) {
          return inherited;
        }
      }
    }
    return null;
  }

  /** Calls a method without arguments that returns an object. */
  public static Object object(MethodHandle getter, Object target) {
    try {
      return (Object) getter.invokeExact(target);
    } catch (Throwable t) {
      return null;
    }
  }

  /** Calls a method with one argument that returns an object. */
  public static Object object(MethodHandle method, Object target, Object argument) {
    try {
      return (Object) method.invokeExact(target, argument);
    } catch (Throwable t) {
      return null;
    }
  }

  /** Calls a method without arguments; its result as a string. */
  public static String string(MethodHandle getter, Object target) {
    Object value = object(getter, target);
    return value == null ? null : value.toString();
  }

  /** Calls a method with one argument; its result as a string. */
  public static String string(MethodHandle method, Object target, Object argument) {
    Object value = object(method, target, argument);
    return value == null ? null : value.toString();
  }

  /** Calls a method without arguments that returns an {@code int}; -1 if it fails. */
  public static int integer(MethodHandle getter, Object target) {
    try {
      return (int) getter.invokeExact(target);
    } catch (Throwable t) {
      return -1;
    }
  }

  /** Calls a method without arguments that returns a {@code boolean}; {@code false} if it fails. */
  public static boolean bool(MethodHandle getter, Object target) {
    try {
      return (boolean) getter.invokeExact(target);
    } catch (Throwable t) {
      return false;
    }
  }

  /**
   * Calls a method with one argument that returns a collection (the values of a captured header);
   * its first {@value HttpCapture#MAX_HEADER_VALUES} elements as strings, the most that are
   * recorded.
   */
  public static List<String> strings(MethodHandle method, Object target, Object argument) {
    Object values = object(method, target, argument);
    if (!(values instanceof Collection) || ((Collection<?>) values).isEmpty()) {
      return Collections.emptyList();
    }
    Collection<?> collection = (Collection<?>) values;
    List<String> list = new ArrayList<>(Math.min(collection.size(), HttpCapture.MAX_HEADER_VALUES));
    for (Object value : collection) {
      if (list.size() == HttpCapture.MAX_HEADER_VALUES) {
        break;
      }
      list.add(String.valueOf(value));
    }
    return list;
  }
}
