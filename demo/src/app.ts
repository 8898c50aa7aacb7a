// Placeholder until the demo lands.
import { DEFAULT_BASE_PATH } from 'chatkeep';
document.body.dataset.endpoint = DEFAULT_BASE_PATH;
