// Gives node the browser globals the SDK expects, backed by fake-indexeddb.
import 'fake-indexeddb/auto';
