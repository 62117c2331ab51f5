package io.countersign.server.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

/** The console's templates, compiled at build time (src/main/jte, jte-maven-plugin); output is HTML-escaped by JTE. */
final class Views {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    String render(String template, Object page) {
        StringOutput output = new StringOutput();
        engine.render("console/" + template + ".jte", page, output);
        return output.toString();
    }

    void page(Context ctx, int status, String template, Object page) {
        ctx.status(status);
        // Pages are per person and carry CSRF tokens: never cached, never framed.
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header(
                "Content-Security-Policy",
                "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.html(render(template, page));
    }
}
