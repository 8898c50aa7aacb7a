export interface SidebarElements {
  /** Carries `data-sidebar="open" | "closed"`, which the page's CSS reads. */
  app: HTMLElement;
  toggle: HTMLButtonElement;
  /** The shade over the chat while the sidebar is open on a narrow screen: a click closes it. */
  scrim: HTMLElement;
  /** The conversation list: its first button takes focus when the sidebar opens. */
  list: HTMLElement;
}

/** Binds the sidebar's toggle, shade and Escape key; returns the function that opens or closes it. */
export function bindSidebar({ app, toggle, scrim, list }: SidebarElements): (open: boolean) => void {
  const setSidebar = (open: boolean) => {
    app.dataset.sidebar = open ? 'open' : 'closed';
    toggle.setAttribute('aria-expanded', String(open));
    if (open) list.querySelector('button')?.focus();
  };
  toggle.addEventListener('click', () => setSidebar(app.dataset.sidebar !== 'open'));
  scrim.addEventListener('click', () => setSidebar(false));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && app.dataset.sidebar === 'open') {
      setSidebar(false);
      toggle.focus();
    }
  });
  return setSidebar;
}
