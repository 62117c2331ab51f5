package io.countersign.server.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP clients the agents use, each run as its own process: curl, Python's urllib, Node's fetch. */
enum HttpClients {
    CURL("curl"),
    PYTHON_URLLIB("python3"),
    NODE_FETCH("node");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String PYTHON = """
            import base64, json, sys, urllib.request, urllib.error
            method, url, headers, body = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), base64.b64decode(sys.argv[4])
            request = urllib.request.Request(url, data=body if body else None, method=method, headers=headers)
            try:
                response = urllib.request.urlopen(request, timeout=60)
                status, head, data = response.status, response.headers, response.read()
            except urllib.error.HTTPError as e:
                status, head, data = e.code, e.headers, e.read()
            print(json.dumps({"status": status, "headers": {k.lower(): v for k, v in head.items()},
                              "body": base64.b64encode(data).decode()}))
            """;

    private static final String NODE = """
            const [method, url, headers, body] = process.argv.slice(1);
            const bytes = Buffer.from(body, 'base64');
            const response = await fetch(url, {method, headers: JSON.parse(headers), body: bytes.length ? bytes : undefined});
            const data = Buffer.from(await response.arrayBuffer());
            const head = {};
            response.headers.forEach((value, name) => { head[name] = value; });
            console.log(JSON.stringify({status: response.status, headers: head, body: data.toString('base64')}));
            """;

    private final String command;

    HttpClients(String command) {
        this.command = command;
    }

    record Answer(int status, Map<String, String> headers, String body) {
        /** Status, headers and body as text: for "this value never arrived" checks. */
        String all() {
            return status + "\n" + headers + "\n" + body;
        }
    }

    void requireInstalled() {
        boolean found = false;
        try {
            Process probe = new ProcessBuilder(command, "--version")
                    .redirectErrorStream(true)
                    .start();
            probe.getInputStream().readAllBytes();
            found = probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            found = false;
        }
        Assumptions.assumeTrue(found, command + " is not installed; .ci/run installs it");
    }

    Answer send(String method, String url, Map<String, String> headers, byte[] body, Path scratch)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        String encoded = Base64.getEncoder().encodeToString(body);
        String headerJson = JSON.writeValueAsString(headers);
        switch (this) {
            case CURL -> {
                Files.createDirectories(scratch);
                Path payload = Files.write(Files.createTempFile(scratch, "body", ".bin"), body);
                argv.addAll(
                        List.of("curl", "-sS", "--path-as-is", "-X", method, "-o", "-", "-D", "-", "--max-time", "60"));
                headers.forEach((name, value) -> argv.addAll(List.of("-H", name + ": " + value)));
                if (body.length > 0) {
                    argv.addAll(List.of("--data-binary", "@" + payload));
                }
                argv.add(url);
            }
            case PYTHON_URLLIB -> argv.addAll(List.of("python3", "-c", PYTHON, method, url, headerJson, encoded));
            case NODE_FETCH ->
                argv.addAll(List.of("node", "--input-type=module", "-e", NODE, method, url, headerJson, encoded));
        }
        Process process = new ProcessBuilder(argv).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(this + " failed: " + err);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (this == CURL) {
            return curl(text);
        }
        JsonNode answer = JSON.readTree(text);
        Map<String, String> head = new java.util.TreeMap<>();
        answer.path("headers")
                .properties()
                .forEach(e -> head.put(e.getKey(), e.getValue().asString()));
        return new Answer(
                answer.path("status").asInt(),
                head,
                new String(Base64.getDecoder().decode(answer.path("body").asString()), StandardCharsets.UTF_8));
    }

    private static Answer curl(String text) {
        while (text.startsWith("HTTP/1.1 100")) {
            text = text.substring(text.indexOf("\r\n\r\n") + 4);
        }
        int end = text.indexOf("\r\n\r\n");
        String head = text.substring(0, end);
        String body = text.substring(end + 4);
        String[] lines = head.split("\r\n");
        Map<String, String> headers = new java.util.TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(
                        lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }
}
