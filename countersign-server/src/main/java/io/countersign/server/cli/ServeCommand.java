package io.countersign.server.cli;

import io.countersign.server.Gateway;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        description =
                "Run the gateway. With no config: SQLite in ./countersign-data, the bundled example policy, port 8080.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", description = "countersign.yaml")
    Path config;

    @Option(names = "--data", description = "data folder (default ./countersign-data)")
    Path data;

    @Option(names = "--policy", description = "policy file, reloaded when it changes (default: the bundled example)")
    Path policy;

    @Option(names = "--port", description = "port to listen on (default 8080; 0 picks a free one)")
    Integer port;

    @Option(names = "--host", description = "address to listen on (default 127.0.0.1)")
    String host;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig settings = config == null ? ServerConfig.defaults() : ConfigFile.load(config);
        if (data != null) settings = settings.withDataDirectory(data);
        if (policy != null) settings = settings.withPolicyFile(policy);
        if (port != null) settings = settings.withPort(port);
        if (host != null) settings = settings.withHost(host);
        Gateway gateway = Gateway.start(settings, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            gateway.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        System.out.println("Countersign listening on " + gateway.baseUrl()
                + " (data: " + settings.dataDirectory().toAbsolutePath().normalize()
                + ", policy: " + settings.policyFile().map(Path::toString).orElse("bundled example") + ")");
        gateway.postgresProxies()
                .forEach(proxy -> System.out.println(
                        "PostgreSQL proxy '" + proxy.name() + "' listening on port " + proxy.port()));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
