"""Skills: everyday requests (timers, the time, lists, sums, units) answered before the language model, from
sentence templates (hassil + home-assistant-intents, ours under resources/intents/LANG)."""
