/**
 * Markdown to HTML for content text and for the pages shared with `tideline docs`. markdown-it with raw HTML disabled
 * escapes any HTML in the source, and its link validator refuses javascript:/vbscript:/data: URLs, so content written
 * by editors (or imported) cannot inject script.
 */
import MarkdownIt from 'markdown-it';
import { raw, type Html } from './html.js';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
// External links open safely.
const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = String(tokens[idx]!.attrGet('href') ?? '');
  if (/^https?:/i.test(href)) tokens[idx]!.attrSet('rel', 'noopener noreferrer');
  return defaultLink(tokens, idx, options, env, self);
};

export const markdown = (text: string): Html => raw(md.render(text ?? ''));
export const markdownInline = (text: string): Html => raw(md.renderInline(text ?? ''));
