import { InProcessGalleryLock } from '../../../src/adapters/lock/in-process-gallery.lock.js';
import { galleryLockContract } from '../../ports/gallery-lock.contract.js';

galleryLockContract('in-process', () => new InProcessGalleryLock());
