"""The conversation core: the grammar, the flow engine, the neutral UI model, content, i18n."""
