/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application on its embedded Tomcat, on {@code 127.0.0.1} and a free port
 * ({@code application.properties}); prints {@code READY port=<n>} once its web server serves.
 *
 * <ul>
 *   <li>{@code /users/{id}}: 200, the id;
 *   <li>{@code /hello}: 200 {@code hello};
 *   <li>{@code /fail}: the handler throws, Spring answers 500.
 * </ul>
 */
@SpringBootApplication
@RestController
public class SpringBootApp implements ApplicationListener<WebServerInitializedEvent> {

  public static void main(String[] args) {
    SpringApplication.run(SpringBootApp.class, args);
  }

  @GetMapping("/users/{id}")
  public String user(@PathVariable("id") String id) {
    return id;
  }

  @GetMapping("/hello")
  public String hello() {
    return "hello";
  }

  @GetMapping("/fail")
  public String fail() {
    throw new IllegalStateException("sample failure");
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    System.out.println("READY port=" + event.getWebServer().getPort());
  }
}
