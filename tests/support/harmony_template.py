"""Our own jinja2 chat template that renders a chat in OpenAI's harmony format.

It mirrors what the real gpt-oss template produces for the messages Safeguard Studio
sends: a system message (identity, knowledge cutoff, optional current date, reasoning
effort, valid channels), the chat ``system``/``developer`` message as the developer
``# Instructions`` message, user messages, and earlier assistant answers on the ``final``
channel. Every tag trims the whitespace around it and literal text lives in string
expressions, so the template renders the same with or without ``trim_blocks`` and
``lstrip_blocks`` (llama-cpp-python uses both, in an ``ImmutableSandboxedEnvironment``).

Variables: ``messages``, ``add_generation_prompt``, ``reasoning_effort`` (default
"medium"), and for the date line ``current_date`` if defined, else ``strftime_now`` if it
is a callable, else no date line.
"""

from __future__ import annotations

HARMONY_CHAT_TEMPLATE: str = r"""{#- Harmony chat template (Safeguard Studio synthetic gpt-oss model) -#}
{%- if reasoning_effort is defined and reasoning_effort -%}
  {%- set effort = reasoning_effort -%}
{%- else -%}
  {%- set effort = "medium" -%}
{%- endif -%}
{{- "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n" -}}
{{- "Knowledge cutoff: 2024-06\n" -}}
{%- if current_date is defined and current_date -%}
  {{- "Current date: " ~ current_date ~ "\n" -}}
{%- elif strftime_now is defined and strftime_now is callable -%}
  {{- "Current date: " ~ strftime_now("%Y-%m-%d") ~ "\n" -}}
{%- endif -%}
{{- "\nReasoning: " ~ effort ~ "\n\n" -}}
{{- "# Valid channels: analysis, commentary, final. " -}}
{{- "Channel must be included for every message.<|end|>" -}}
{%- for message in messages -%}
  {%- if message.content is string -%}
    {%- set content = message.content -%}
  {%- elif message.content -%}
    {%- set content = message.content | map(attribute="text") | join("") -%}
  {%- else -%}
    {%- set content = "" -%}
  {%- endif -%}
  {%- if message.role == "system" or message.role == "developer" -%}
    {{- "<|start|>developer<|message|># Instructions\n\n" ~ content ~ "\n\n<|end|>" -}}
  {%- elif message.role == "assistant" -%}
    {{- "<|start|>assistant<|channel|>final<|message|>" ~ content ~ "<|end|>" -}}
  {%- else -%}
    {{- "<|start|>" ~ message.role ~ "<|message|>" ~ content ~ "<|end|>" -}}
  {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt is defined and add_generation_prompt -%}
  {{- "<|start|>assistant" -}}
{%- endif -%}
"""
