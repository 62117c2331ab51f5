// Renders Adaptive Cards as a Teams client would: the adaptivecards package, with markdown-it for the
// markdown of TextBlocks and FactSets (what Teams does), in a jsdom document. Reads a JSON array of
// cards on stdin; prints, per card, the rendered HTML of its body and the tags markdown produced.
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>");
global.window = dom.window;
global.document = dom.window.document;
// The renderer tests elements with instanceof HTMLButtonElement and the like: the DOM's classes as globals.
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (/^(HTML|SVG|Node|Element|Event|KeyboardEvent|MouseEvent|CSS|DOM)/.test(name) && !(name in global)) {
    global[name] = dom.window[name];
  }
}
const AdaptiveCards = require("adaptivecards/dist/adaptivecards.js");
const markdown = require("markdown-it")();

AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((json) => {
    const card = new AdaptiveCards.AdaptiveCard();
    const errors = [];
    card.parse(json, new AdaptiveCards.SerializationContext());
    const element = card.render();
    const tags = [...element.querySelectorAll("strong, em, a, h1, h2, h3, h4, h5, h6, ol, ul, li, code, del, s, img, blockquote, table")]
      .map((node) => node.tagName.toLowerCase());
    return { text: element.textContent, tags, errors };
  });
  process.stdout.write(JSON.stringify(out));
});
